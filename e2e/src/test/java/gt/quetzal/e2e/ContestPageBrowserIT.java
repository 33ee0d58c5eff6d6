package gt.quetzal.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import gt.quetzal.contract.Catalog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowingConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * Issue 15, item 5: the live page for any contest, in headless Chromium over the whole pipeline. A
 * 2-band contest lists both bands at 0 before any vote, counts votes, and shows a band added while it
 * runs without a reload; a 150-band contest with long names lists every band, keeps the layout inside
 * the window, and moves voted bands to the top; an open contest shows new names as they are voted,
 * case variants folded into the first spelling. Each contest runs on its own fresh stack. Screenshots
 * go to {@code target/screenshots/contest-*.png}, also when a test fails.
 */
class ContestPageBrowserIT {

  /** How long the page may take to show a change already in Redis (the SSE push is ≤ 1 s). */
  private static final Duration SHOWN = Duration.ofSeconds(20);

  private static HeadlessChromium browser;
  private static ChromeDriver driver;

  @BeforeAll
  static void startBrowser() {
    browser = HeadlessChromium.start("1280,1000");
    driver = browser.driver();
  }

  @AfterAll
  static void stopBrowser() {
    if (browser != null) {
      browser.close();
    }
  }

  @Test
  void twoBandsStartAtZeroAndABandAddedLiveAppearsWithoutAReload() throws Exception {
    Catalog two = catalog(band("Alux Nahual", "Conquista", 1985), band("Bohemia Suburbana", "Mil palabras", 1996));
    try (ContestPipeline contest = ContestPipeline.start(two)) {
      try {
        openLivePage(contest);
        js("window.quetzalNoReload = 'same document';");

        // Every contestant at 0 before the first vote, and the page says nobody has voted yet.
        expectStandings(rows -> assertThat(rows).containsExactly(row("Alux Nahual", 0), row("Bohemia Suburbana", 0)));
        assertThat(text("summary")).isEqualTo("Total: 0 votos");
        assertThat(driver.findElement(By.id("empty")).isDisplayed()).isTrue();
        screenshot("contest-2-bands-at-zero");

        contest.vote("Alux Nahual", "Conquista", 1985);
        expectStandings(rows -> assertThat(rows).startsWith(row("Alux Nahual", 1)));
        contest.vote("Bohemia Suburbana", "Mil palabras", 1996);
        expectStandings(rows -> assertThat(rows).containsExactly(row("Alux Nahual", 1), row("Bohemia Suburbana", 1)));
        // A tie at the top is not announced as somebody winning.
        assertThat(text("summary")).contains("empate").doesNotContain("va ganando");
        contest.vote("Bohemia Suburbana", "Mil palabras", 1996);
        expectStandings(rows -> assertThat(rows).containsExactly(row("Bohemia Suburbana", 2), row("Alux Nahual", 1)));
        assertThat(text("summary")).isEqualTo("Total: 3 votos · va ganando Bohemia Suburbana");
        assertThat(driver.findElement(By.id("empty")).isDisplayed()).isFalse();
        screenshot("contest-2-bands");

        // A third band joins while everything runs: listed at 0 at once, then counted.
        contest.applyContest(catalog(two.bands().get(0), two.bands().get(1), band("Viernes Verde", "Ahora", 2010)));
        expectStandings(rows -> assertThat(rows)
            .containsExactly(row("Bohemia Suburbana", 2), row("Alux Nahual", 1), row("Viernes Verde", 0)));
        contest.voteOnceAdmitted("Viernes Verde", "Ahora", 2010);
        expectStandings(rows -> assertThat(rows)
            .containsExactly(row("Bohemia Suburbana", 2), row("Alux Nahual", 1), row("Viernes Verde", 1)));
        assertThat(js("return window.quetzalNoReload;")).as("the page was not reloaded").isEqualTo("same document");
        assertThat(text("stat-rejected")).as("nothing rejected downstream").isEqualTo("0");
        assertThat(driver.findElement(By.id("banner")).isDisplayed()).isFalse();
      } finally {
        screenshot("contest-2-bands-after-add");
      }
    }
  }

  @Test
  void a150BandContestWithLongNamesListsEveryBandAndKeepsTheLayout() throws Exception {
    List<String> names = longNames(150);
    assertThat(names.stream().filter(n -> n.length() >= 120).count()).as("long names in the contest").isGreaterThanOrEqualTo(15);
    List<Catalog.Band> bands = new ArrayList<>();
    for (String name : names) {
      bands.add(new Catalog.Band(name, List.of(new Catalog.Album("Canciones de la Sierra, volumen único", 2001))));
    }
    try (ContestPipeline contest = ContestPipeline.start(new Catalog("ciento cincuenta", bands))) {
      try {
        openLivePage(contest);
        expectStandings(rows -> {
          assertThat(rows).hasSize(150);
          assertThat(rows).extracting(Row::band).containsExactlyInAnyOrderElementsOf(names);
          assertThat(rows).allSatisfy(r -> assertThat(r.total()).isZero());
        });
        assertLayoutHolds(1280);
        screenshot("contest-150-bands-at-zero");

        // Three bands that sort late at 0 (ties go by name) are voted to the top, in order of votes: a
        // short name, the one without spaces and the last of the long ones.
        List<String> sorted = names.stream().sorted().toList();
        String first = sorted.stream().filter(n -> n.length() < 60).reduce((a, b) -> b).orElseThrow();
        String second = names.get(76);
        String third = sorted.stream().filter(n -> n.length() >= 120).reduce((a, b) -> b).orElseThrow();
        assertThat(List.of(first, second, third)).doesNotHaveDuplicates();
        for (String band : List.of(first, first, first, second, second, third)) {
          contest.vote(band, "Canciones de la Sierra, volumen único", 2001);
        }
        expectStandings(rows -> {
          assertThat(rows).hasSize(150);
          assertThat(rows.subList(0, 3)).containsExactly(row(first, 3), row(second, 2), row(third, 1));
          assertThat(rows.subList(3, 150)).allSatisfy(r -> assertThat(r.total()).isZero());
        });
        assertThat(ranks().subList(0, 4)).containsExactly("1", "2", "3", "");
        assertThat(text("summary")).isEqualTo("Total: 6 votos · va ganando " + first);
        assertLayoutHolds(1280);

        driver.executeCdpCommand(
            "Emulation.setDeviceMetricsOverride", Map.of("width", 375, "height", 812, "deviceScaleFactor", 1, "mobile", true));
        try {
          assertLayoutHolds(375);
          screenshot("contest-150-bands-phone");
        } finally {
          driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        }
      } finally {
        screenshot("contest-150-bands");
      }
    }
  }

  @Test
  void anOpenContestShowsNewNamesAndFoldsCaseVariantsIntoTheFirstSpelling() throws Exception {
    try (ContestPipeline contest = ContestPipeline.start(null)) {
      try {
        openLivePage(contest);
        js("window.quetzalNoReload = 'same document';");
        // Nothing is seeded in an open contest: no band until its first vote.
        expectStandings(rows -> assertThat(rows).isEmpty());
        assertThat(driver.findElement(By.id("empty")).isDisplayed()).isTrue();

        contest.vote("band x", "primer disco", 2020);
        expectStandings(rows -> assertThat(rows).containsExactly(row("band x", 1)));
        contest.vote("BAND X", "Primer Disco", 2020);
        contest.vote("Band X", "primer disco", 2020);
        contest.vote("Sololá Sound System", "Lago", 2019);
        expectStandings(rows -> assertThat(rows).containsExactly(row("band x", 3), row("Sololá Sound System", 1)));
        assertThat(js("return [...document.querySelectorAll('#log-band option')].map(o => o.value).slice(1);"))
            .isEqualTo(List.of("band x", "Sololá Sound System"));
        // The per-minute trend sums the bands under their shown spelling: all four votes are there.
        await("trend").atMost(SHOWN).pollInterval(Duration.ofMillis(200))
            .untilAsserted(() -> assertThat(text("trend-summary")).startsWith("4 votos en el periodo"));
        assertThat(js("return window.quetzalNoReload;")).isEqualTo("same document");
      } finally {
        screenshot("contest-open");
      }
    }
  }

  // ---- the contest ----

  private static Catalog catalog(Catalog.Band... bands) {
    return new Catalog("prueba", List.of(bands));
  }

  private static Catalog.Band band(String name, String album, int year) {
    return new Catalog.Band(name, List.of(new Catalog.Album(album, year)));
  }

  /**
   * Names as a real contest may have them: accents and ñ, every tenth one 120+ characters, and one long
   * word with no space to break at. No '<' or '>', which ingest refuses.
   */
  static List<String> longNames(int count) {
    String[] stems = {
      "Los Auténticos Marimbistas de San Juan Sacatepéquez", "Ñandú y los Señores del Volcán de Agua",
      "Rockeros del Lago de Atitlán", "Orquesta Típica Quetzalteca", "La Tribu Electrónica de Cobán",
    };
    List<String> names = new ArrayList<>(count);
    for (int i = 1; i <= count; i++) {
      String stem = stems[(i % 10 == 0 ? i / 10 : i) % stems.length];
      if (i == 77) {
        names.add("Supercalifragilísticoespialidosodelaciudaddeguatemalaenlamadrugadadeldomingo" + i);
      } else if (i % 10 == 0) {
        names.add(stem + " y su Gran Orquesta de Cuerdas, Vientos y Percusión del Altiplano Occidental, edición número " + i);
      } else {
        names.add(stem + " " + i);
      }
    }
    return names;
  }

  // ---- the page ----

  record Row(String band, long total) {}

  private static Row row(String band, long total) {
    return new Row(band, total);
  }

  private static void openLivePage(ContestPipeline contest) {
    driver.get(contest.pageUrl());
    // Live = the SSE stream delivered its first snapshot.
    await("page live").atMost(Duration.ofSeconds(30)).ignoreExceptions()
        .until(() -> "live".equals(driver.findElement(By.id("live-state")).getDomAttribute("data-state")));
  }

  /** Waits until the standings, read in one go from the DOM (top first), satisfy {@code check}. */
  private static void expectStandings(ThrowingConsumer<List<Row>> check) {
    await().atMost(ContestPipeline.WARM_UP.plus(SHOWN)).pollInterval(Duration.ofMillis(100))
        .untilAsserted(() -> check.accept(standings()));
  }

  @SuppressWarnings("unchecked")
  private static List<Row> standings() {
    List<List<String>> raw = (List<List<String>>) js(
        "return [...document.querySelectorAll('#standings > li')]"
            + ".map(li => [li.dataset.band, li.querySelector('.band-total').textContent]);");
    return raw.stream().map(r -> new Row(r.get(0), Long.parseLong(r.get(1).replaceAll("[^0-9]", "")))).toList();
  }

  @SuppressWarnings("unchecked")
  private static List<String> ranks() {
    return (List<String>) js(
        "return [...document.querySelectorAll('#standings > li .band-rank')].map(r => r.textContent.replace(/\\D/g, ''));");
  }

  /**
   * No horizontal scrolling of the page, every band name whole and inside the window, and every row
   * reachable: scrolled into view, the point at the middle of its name belongs to it (not clipped or
   * covered).
   */
  @SuppressWarnings("unchecked")
  private static void assertLayoutHolds(long width) {
    Map<String, Object> layout = (Map<String, Object>) js(
        """
        const doc = document.documentElement;
        const names = [...document.querySelectorAll('#standings > li .band-name')];
        const cut = names.filter(n => n.scrollWidth > n.clientWidth + 1
            || n.getBoundingClientRect().right > doc.clientWidth).map(n => n.textContent);
        const unreachable = [];
        for (const n of names) {
          n.scrollIntoView({ block: 'center' });
          const box = n.getBoundingClientRect();
          const hit = document.elementFromPoint(box.left + Math.min(box.width / 2, 20), box.top + box.height / 2);
          if (!n.closest('li').contains(hit)) unreachable.push(n.textContent);
        }
        window.scrollTo(0, 0);
        document.getElementById('standings').scrollTop = 0;
        return { scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth, cut, unreachable, rows: names.length };
        """);
    assertThat((Long) layout.get("clientWidth")).as("viewport").isLessThanOrEqualTo(width);
    assertThat((Long) layout.get("scrollWidth")).as("page width").isLessThanOrEqualTo((Long) layout.get("clientWidth"));
    assertThat((List<String>) layout.get("cut")).as("names cut or outside the window").isEmpty();
    assertThat((List<String>) layout.get("unreachable")).as("rows that cannot be scrolled to").isEmpty();
    assertThat((Long) layout.get("rows")).isEqualTo(150L);
  }

  private static String text(String id) {
    return driver.findElement(By.id(id)).getText();
  }

  private static Object js(String script) {
    return driver.executeScript(script);
  }

  private static void screenshot(String name) {
    browser.screenshot(name);
  }
}
