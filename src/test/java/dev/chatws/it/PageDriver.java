package dev.chatws.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.SearchContext;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The chat page in a real browser, for the browser tests: Debian's Chromium, headless, driven by
 * its chromedriver through Selenium WebDriver ({@code .ci/run} installs both; without them the
 * tests are skipped), and what the tests read and do on the {@code <chat-ws>} component in it.
 * Reads retry when the page re-rendered its transcript meanwhile (it does after every turn).
 */
final class PageDriver implements AutoCloseable {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    final ChromeDriver browser;
    final WebDriverWait wait;

    private PageDriver(ChromeDriver browser) {
        this.browser = browser;
        this.wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        wait.ignoring(StaleElementReferenceException.class);
    }

    /** Skips the test unless Chromium and its driver are installed. */
    static void assumeChromium() {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "Debian's chromium and chromium-driver are not installed (.ci/run installs them)");
    }

    /** A headless Chromium of {@code width} × {@code height} CSS pixels. */
    static PageDriver start(int width, int height) throws Exception {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-quic", "--no-first-run", "--disable-sync",
                "--user-data-dir=" + Files.createTempDirectory("chromium-profile"), "--window-size=" + width + "," + height);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
        return new PageDriver(new ChromeDriver(service, options));
    }

    @Override
    public void close() {
        browser.quit();
    }

    SearchContext shadow() {
        return browser.findElement(By.cssSelector("chat-ws")).getShadowRoot();
    }

    Object script(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    void waitForStatus(String status) {
        wait.until(b -> status.equals(shadow().findElement(By.cssSelector(".status")).getText()));
    }

    /** Types {@code text} and sends it with Enter. */
    void type(String text) {
        WebElement input = shadow().findElement(By.cssSelector("textarea"));
        input.sendKeys(text);
        input.sendKeys(Keys.ENTER);
    }

    /** Sends {@code text}, newlines and all (typed, each newline would send). */
    void send(String text) {
        script("const root = document.querySelector('chat-ws').shadowRoot; root.querySelector('textarea').value = arguments[0];"
                + " root.querySelector('button.send').click();", text);
    }

    /** The text of the last assistant message, without its usage line. */
    String assistantText() {
        return settled(() -> {
            List<WebElement> replies = shadow().findElements(By.cssSelector(".assistant .content"));
            return replies.isEmpty() ? "" : replies.get(replies.size() - 1).getText();
        });
    }

    String usageShown() {
        return settled(() -> {
            List<WebElement> usage = shadow().findElements(By.cssSelector(".assistant .usage"));
            return usage.isEmpty() ? "" : usage.get(usage.size() - 1).getText();
        });
    }

    List<String> userTexts() {
        return settled(() -> shadow().findElements(By.cssSelector(".user .content")).stream().map(WebElement::getText).toList());
    }

    /** Waits for a turn's end: the usage line under the newest answer. */
    void awaitAnswer() {
        wait.until(b -> !usageShown().isEmpty());
    }

    /** What {@code read} reads of the transcript, read again if the page re-rendered it meanwhile. */
    static <T> T settled(Supplier<T> read) {
        for (int attempt = 1; ; attempt++) {
            try {
                return read.get();
            } catch (StaleElementReferenceException e) {
                if (attempt == 5) {
                    throw e;
                }
            }
        }
    }
}
