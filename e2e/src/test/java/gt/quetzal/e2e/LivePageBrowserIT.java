package gt.quetzal.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import gt.quetzal.bench.stack.InProcessStack;
import gt.quetzal.contract.Json;
import gt.quetzal.contract.MongoNames;
import gt.quetzal.contract.RedisKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;
import redis.clients.jedis.RedisClient;

/**
 * The live page in headless Chromium (Debian's {@code chromium} + {@code chromium-driver}, driven by
 * Selenium) over the whole stack started in process: votes cast through HTTP ingest move the page
 * without a reload. Nothing is skipped: without the browser the test fails, since .ci/run installs it.
 * Every test leaves a screenshot in {@code target/screenshots/}, also when it fails.
 */
class LivePageBrowserIT {

  private static final Path CATALOG = Path.of("..", "config", "catalog.json").toAbsolutePath().normalize();
  /** A bound for the page's update, not its measure: speed belongs in the benchmarks. */
  private static final Duration LIVE_UPDATE = Duration.ofSeconds(30);
  /** The first vote also waits for the Streams app to finish starting. */
  private static final Duration WARM_UP = Duration.ofSeconds(90);

  private static InProcessStack stack;
  private static int ingestPort;
  private static int webPort;
  private static HeadlessChromium browser;
  private static ChromeDriver driver;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startEverything() throws Exception {
    browser = HeadlessChromium.start("1280,2000");
    driver = browser.driver();

    // With the demo catalog, an unknown band is refused at the door, and rejected with a reason the
    // page must show when it reaches votes.raw some other way. Port 0: each service binds a port the
    // system picks, and the test reads it back.
    stack = InProcessStack.builder()
        .contest(gt.quetzal.contract.Catalog.load(CATALOG))
        .streams()
        .sinks()
        .web()
        .ingestHttp()
        .start();
    webPort = stack.web().httpPort();
    ingestPort = stack.ingestHttp().httpPort();
  }

  @AfterAll
  static void stopEverything() throws Exception {
    if (browser != null) {
      browser.close();
    }
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void theBandsNumberChangesAndTheLogShowsTheVoteWithoutAReload() throws Exception {
    try {
      openLivePage();
      String band = "Malacates Trébol Shop";
      // A mark on this document: if the page reloaded, it would be gone.
      js("window.quetzalNoReload = 'same document';");

      // The first vote waits for the pipeline to warm up; it also puts the band on the page.
      assertThat(castVote(band, "Resaca", 90).statusCode()).isEqualTo(202);
      waitFor(WARM_UP, d -> bandTotalOnPage(band) >= 1);
      long before = bandTotalOnPage(band);

      HttpResponse<String> accepted = castVote(band, "Crónicas de Mercado", 77);
      assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
      String voteId = Json.MAPPER.readTree(accepted.body()).get("voteId").asText();

      // The number moves on the open page, pushed, with no reload (checked below). How fast is the
      // benchmarks' business; LIVE_UPDATE only bounds the wait.
      waitFor(LIVE_UPDATE, d -> bandTotalOnPage(band) > before);
      assertThat(bandTotalOnPage(band)).isEqualTo(before + 1);

      // The log shows the new vote (MongoDB is written by its own sink, so allow it its own time).
      List<String> cells = voteCells(voteId);
      assertThat(cells.get(1)).isEqualTo(band);
      assertThat(cells.get(2)).isEqualTo("Crónicas de Mercado");
      assertThat(cells.get(4)).isEqualTo("77");
      assertThat(driver.findElement(By.id("stat-accepted")).getText()).isNotEqualTo("—");

      assertThat(js("return window.quetzalNoReload;")).isEqualTo("same document");
      assertThat(driver.findElement(By.id("banner")).isDisplayed()).isFalse();
    } finally {
      screenshot("live-page");
    }
  }

  @Test
  void aRejectedVoteIsListedWithItsReason() throws Exception {
    try {
      openLivePage();
      // Markup never gets this far any more: ingest refuses '<' and '>' (see the next test for the page).
      HttpResponse<String> refused = castVote("Banda Inventada", "Nada", 50);
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
      assertThat(refused.body()).contains("not_in_contest");
      // The streams app is the guard for votes that pass the door under an older catalog, or that
      // another producer wrote: such a vote is rejected downstream and listed with its reason.
      String voteId = "behind-the-door-1";
      try (var producer =
          new org.apache.kafka.clients.producer.KafkaProducer<>(
              Map.<String, Object>of("bootstrap.servers", stack.bootstrapServers()),
              gt.quetzal.contract.Topics.VOTES_RAW.keySerde().serializer(),
              gt.quetzal.contract.Topics.VOTES_RAW.valueSerde().serializer())) {
        producer
            .send(
                new org.apache.kafka.clients.producer.ProducerRecord<>(
                    gt.quetzal.contract.Topics.VOTES_RAW.name(),
                    voteId,
                    new gt.quetzal.contract.VoteEvent(
                        voteId, "Banda Inventada", "Nada", 2001, 50, null, "http", System.currentTimeMillis())))
            .get();
      }

      List<String> cells =
          waitFor(
              WARM_UP,
              d -> {
                for (WebElement tr : d.findElements(By.cssSelector("#rejected tr"))) {
                  if (tr.getText().contains(voteId)) {
                    return tr.findElements(By.tagName("td")).stream().map(WebElement::getText).toList();
                  }
                }
                return null;
              });
      assertThat(cells.get(1)).isEqualTo("Banda desconocida");
      assertThat(cells.get(2)).contains("Banda Inventada");
      waitFor(Duration.ofSeconds(10), d -> !d.findElement(By.id("stat-rejected")).getText().equals("—")
          && !d.findElement(By.id("stat-rejected")).getText().equals("0"));
    } finally {
      screenshot("rejected");
    }
  }

  /**
   * Defence in depth: ingest refuses markup, but whatever reaches the stores is still shown as
   * text. The sinks' outputs are written directly (Redis totals, MongoDB vote and rejected logs)
   * with names that run script if the page ever parsed them as HTML.
   */
  @Test
  void markupThatReachesTheStoresIsShownAsTextAndNeverRuns() throws Exception {
    String img = "<img src=x onerror=\"window.__pwned=1\">";
    String script = "<script>window.__pwned=2</script>";
    long now = System.currentTimeMillis();
    try (RedisClient redis = RedisClient.create(URI.create(stack.redisUrl()));
        MongoClient mongo = MongoClients.create(stack.mongoUri())) {
      redis.hset(RedisKeys.BAND_TOTALS, Map.of(img, "7", script, "5"));
      redis.publish(RedisKeys.CHANGES_CHANNEL, "markup test"); // the web app's cue to re-read the totals
      MongoDatabase db = mongo.getDatabase(MongoNames.DATABASE);
      db.getCollection(MongoNames.VOTES)
          .insertMany(
              List.of(
                  new Document("_id", "markup-img").append("name", img).append("album", script).append("year", 2002)
                      .append("rank", 66).append("voterId", img).append("channel", "http").append("receivedAt", new Date(now)),
                  new Document("_id", "markup-script").append("name", script).append("album", img).append("year", 2002)
                      .append("rank", 67).append("channel", "grpc").append("receivedAt", new Date(now + 1))));
      db.getCollection(MongoNames.REJECTED)
          .insertOne(
              new Document("_id", "markup-rejected").append("voteId", "markup-rejected").append("reason", "unknown_band")
                  .append("detail", "name: " + script + " is not a band of the contest catalog")
                  .append("raw", "{\"name\":\"" + img + "\"}").append("rejectedAt", new Date(now)));
    }
    try {
      openLivePage();
      // The page re-renders rows as updates arrive, so every read re-finds its element (see textOf).
      waitFor(Duration.ofSeconds(15), d -> voteRow("markup-script"));
      assertThat(textOf(() -> standingsItem(img))).contains(img);
      assertThat(textOf(() -> standingsItem(script))).contains(script);

      List<String> imgCells = voteCells("markup-img");
      assertThat(imgCells.get(1)).isEqualTo(img);
      assertThat(imgCells.get(2)).isEqualTo(script);
      assertThat(voteCells("markup-script").get(1)).isEqualTo(script);
      String rejected =
          textOf(() -> {
            for (WebElement tr : driver.findElements(By.cssSelector("#rejected tr"))) {
              if (tr.getText().contains("markup-rejected")) {
                return tr;
              }
            }
            return null;
          });
      assertThat(rejected).contains(img);

      // nothing was parsed as markup, and nothing ran
      assertThat(driver.findElements(By.cssSelector("main img, #standings img, #votes img, #rejected img"))).isEmpty();
      assertThat(js("return document.querySelectorAll('body script:not([src])').length;")).isEqualTo(0L);
      assertThat(js("return typeof window.__pwned;")).isEqualTo("undefined");
    } finally {
      screenshot("markup-as-text");
    }
  }

  @Test
  void atPhoneWidthThePageFitsAndAVoteCanBeLookedUpWithTheKeyboard() throws Exception {
    try {
      driver.executeCdpCommand(
          "Emulation.setDeviceMetricsOverride",
          Map.of("width", 375, "height", 812, "deviceScaleFactor", 2, "mobile", true));
      openLivePage();
      HttpResponse<String> accepted = castVote("Alux Nahual", "Conquista", 64);
      assertThat(accepted.statusCode()).isEqualTo(202);
      String voteId = Json.MAPPER.readTree(accepted.body()).get("voteId").asText();
      waitFor(WARM_UP, d -> voteRow(voteId));

      // Nothing wider than the phone: wide tables scroll inside their own box, not the page.
      assertThat((Long) js("return document.documentElement.scrollWidth;")).isLessThanOrEqualTo(375L);

      // Keyboard only: Tab from the top of the page to the lookup field (focus is visible on the way).
      js("if (document.activeElement) document.activeElement.blur(); window.scrollTo(0, 0);");
      String focused = "";
      for (int i = 0; i < 40 && !focused.equals("lookup-id"); i++) {
        new Actions(driver).sendKeys(Keys.TAB).perform();
        focused = String.valueOf(js("return document.activeElement.id;"));
        if (focused.equals("log-band")) {
          assertThat(js("return getComputedStyle(document.activeElement).outlineStyle;")).isEqualTo("solid");
        }
      }
      assertThat(focused).isEqualTo("lookup-id");
      new Actions(driver).sendKeys(voteId).sendKeys(Keys.ENTER).perform();
      WebElement result =
          waitFor(Duration.ofSeconds(10), d -> {
            WebElement r = d.findElement(By.id("lookup-result"));
            return r.getText().contains("Voto encontrado") ? r : null;
          });
      assertThat(result.getText()).contains(voteId).contains("Alux Nahual").contains("Conquista");
    } finally {
      screenshot("phone-375");
      driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
    }
  }

  // ---- helpers ----

  private static void openLivePage() {
    driver.get("http://localhost:" + webPort + "/");
    // Live = the SSE stream delivered its first snapshot.
    waitFor(Duration.ofSeconds(30), d -> "live".equals(d.findElement(By.id("live-state")).getDomAttribute("data-state")));
  }

  /** The band's total as the page shows it ("1.234 votos" → 1234), or 0 when the band is not listed. */
  private static long bandTotalOnPage(String band) {
    for (WebElement li : driver.findElements(By.cssSelector("#standings > li"))) {
      if (band.equals(li.getDomAttribute("data-band"))) {
        String digits = li.findElement(By.className("band-total")).getText().replaceAll("[^0-9]", "");
        return digits.isEmpty() ? 0 : Long.parseLong(digits);
      }
    }
    return 0;
  }

  private static WebElement standingsItem(String band) {
    for (WebElement li : driver.findElements(By.cssSelector("#standings > li"))) {
      if (band.equals(li.getDomAttribute("data-band"))) {
        return li;
      }
    }
    return null;
  }

  private static WebElement voteRow(String voteId) {
    for (WebElement tr : driver.findElements(By.cssSelector("#votes tr"))) {
      if (voteId.equals(tr.getDomAttribute("data-vote-id"))) {
        return tr;
      }
    }
    return null;
  }

  /** The text of the element {@code find} returns, retried while it is missing or re-rendered (stale). */
  private static String textOf(java.util.function.Supplier<WebElement> find) {
    return waitFor(Duration.ofSeconds(15), d -> {
      WebElement element = find.get();
      return element == null ? null : element.getText();
    });
  }

  /** A vote-log row's cell texts, read in one go and retried the same way. */
  private static List<String> voteCells(String voteId) {
    return waitFor(Duration.ofSeconds(15), d -> {
      WebElement row = voteRow(voteId);
      return row == null ? null : row.findElements(By.tagName("td")).stream().map(WebElement::getText).toList();
    });
  }

  private static <T> T waitFor(Duration timeout, Function<WebDriver, T> condition) {
    WebDriverWait wait = new WebDriverWait(driver, timeout.isNegative() ? Duration.ZERO : timeout, Duration.ofMillis(50));
    wait.ignoring(NoSuchElementException.class);
    wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
    return wait.until(condition::apply);
  }

  private static Object js(String script) {
    return ((JavascriptExecutor) driver).executeScript(script);
  }

  private static HttpResponse<String> castVote(String band, String album, int rank) throws Exception {
    Map<String, String> vote = Map.of("name", band, "album", album, "year", "2002", "rank", Integer.toString(rank));
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://localhost:" + ingestPort + "/votes"))
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(vote)))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static void screenshot(String name) {
    browser.screenshot(name);
  }
}
