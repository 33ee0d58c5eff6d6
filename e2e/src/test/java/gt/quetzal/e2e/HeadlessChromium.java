package gt.quetzal.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import gt.quetzal.bench.stack.ScratchDir;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's chromium, headless, driven through chromium-driver: Selenium Manager never downloads a
 * browser. A fresh profile per browser, deleted on close; screenshots go to {@code target/screenshots}.
 */
final class HeadlessChromium implements AutoCloseable {

  private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM_BIN", "/usr/bin/chromium"));
  private static final Path CHROMEDRIVER =
      Path.of(System.getenv().getOrDefault("CHROMEDRIVER_BIN", "/usr/bin/chromedriver"));
  private static final Path SCREENSHOTS = Path.of("target", "screenshots");

  private final ScratchDir profile;
  private final ChromeDriver driver;

  private HeadlessChromium(ScratchDir profile, ChromeDriver driver) {
    this.profile = profile;
    this.driver = driver;
  }

  /** @param windowSize {@code width,height} */
  static HeadlessChromium start(String windowSize) {
    assertThat(CHROMIUM).as("headless browser (apt-get install chromium)").isExecutable();
    assertThat(CHROMEDRIVER).as("WebDriver (apt-get install chromium-driver)").isExecutable();
    try {
      Files.createDirectories(SCREENSHOTS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ScratchDir profile = ScratchDir.create("quetzal-chromium-");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--user-data-dir=" + profile.path(),
        "--window-size=" + windowSize,
        "--lang=es-GT");
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    return new HeadlessChromium(profile, new ChromeDriver(service, options));
  }

  ChromeDriver driver() {
    return driver;
  }

  /** Saves the page as {@code target/screenshots/<name>.png}; a failure to save is reported, not thrown. */
  void screenshot(String name) {
    try {
      File shot = driver.getScreenshotAs(OutputType.FILE);
      Path target = SCREENSHOTS.resolve(name + ".png");
      Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
      System.out.println("screenshot: " + target.toAbsolutePath());
    } catch (RuntimeException | IOException e) {
      System.err.println("could not save screenshot " + name + ": " + e);
    }
  }

  @Override
  public void close() {
    driver.quit();
    profile.close();
  }
}
