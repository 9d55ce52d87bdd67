package dev.chatws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.SearchContext;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The chat page ({@code /}, the {@code <chat-ws>} component) in a real browser: Debian's Chromium,
 * headless, driven by its chromedriver through Selenium WebDriver. {@code .ci/run} installs both;
 * without {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver} these tests are skipped.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class BrowserIT {

    private static final String NAME = "chat-browser";
    private static final String PAGE = "http://localhost:" + Deployments.HTTP_PORT + "/" + NAME + "/";
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String LONG = "Please answer at length. " + "The quick brown fox jumps over the lazy dog. ".repeat(12);

    @ArquillianResource
    Deployer deployer;

    private ChromeDriver browser;
    private WebDriverWait wait;

    @Deployment(name = NAME, managed = false, testable = false)
    static WebArchive deployment() {
        return Deployments.simulated(NAME, "chat.simulator.tokens-per-second=25");
    }

    @BeforeEach
    void open() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "Debian's chromium and chromium-driver are not installed (.ci/run installs them)");
        deployer.deploy(NAME);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-quic", "--no-first-run", "--disable-sync",
                "--user-data-dir=" + Files.createTempDirectory("chromium-profile"), "--window-size=1000,760");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
        browser = new ChromeDriver(service, options);
        // The page re-renders its transcript when a conversation frame comes (after every turn):
        // an element read a moment before may be gone.
        wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        wait.ignoring(StaleElementReferenceException.class);
        browser.get(PAGE);
        waitForStatus("Connected");
    }

    @AfterEach
    void close() {
        if (browser != null) {
            browser.quit();
            deployer.undeploy(NAME);
        }
    }

    @Test
    void aMessageStreamsInAndItsUsageAppears() throws Exception {
        type("Hello from the browser. " + LONG);
        String partial = wait.until(b -> {
            String text = assistantText();
            return text.isEmpty() || !usageShown().isEmpty() ? null : text;
        });
        wait.until(b -> !usageShown().isEmpty());
        String whole = assistantText();
        assertTrue(whole.startsWith(partial) && whole.length() > partial.length(),
                "the reply grew while it streamed: first seen " + partial.length() + " characters, then " + whole.length());
        assertTrue(whole.contains("Hello from the browser."), whole);
        assertTrue(usageShown().matches("\\d+ prompt.* \\+ \\d+ completion.* = \\d+ tokens"), usageShown());
    }

    @Test
    void reloadingMidTurnBringsBackTheConversationAndTheTurnCompletes() {
        type("Remember me. " + LONG);
        wait.until(b -> !assistantText().isEmpty());
        String id = conversationId();
        assertNotNull(id);
        browser.navigate().refresh();
        waitForStatus("Connected");
        assertEquals(id, conversationId(), "the page kept its conversation");
        wait.until(b -> !usageShown().isEmpty());
        assertTrue(userTexts().get(0).startsWith("Remember me."), "the history came back: " + userTexts());
        assertTrue(assistantText().contains("Remember me."), "the reply was replayed and completed: " + assistantText());
    }

    @Test
    void theStopButtonCancelsAndThePartialReplyStays() {
        type("Stop me. " + LONG);
        wait.until(b -> assistantText().length() > 20);
        shadow().findElement(By.cssSelector("button.stop")).click();
        wait.until(b -> assistantText().endsWith("[stopped]"));
        String partial = assistantText().replace(" [stopped]", "");
        assertFalse(partial.isEmpty());
        browser.navigate().refresh();
        waitForStatus("Connected");
        wait.until(b -> !assistantText().isEmpty());
        assertEquals(partial, assistantText(), "the history holds what the user saw");
    }

    @Test
    void markupInAReplyIsShownAsText() {
        String attack = "<img src=x onerror=alert(1)>";
        type(attack);
        wait.until(b -> !usageShown().isEmpty());
        assertTrue(assistantText().contains(attack), "shown literally: " + assistantText());
        assertTrue(shadow().findElements(By.cssSelector("img")).isEmpty(), "no element was made of it");
        assertThrows(NoAlertPresentException.class, () -> browser.switchTo().alert());
    }

    @Test
    void theServerRestartedUnderThePageReconnectsAndReattaches() throws Exception {
        type("Before the restart.");
        wait.until(b -> !usageShown().isEmpty());
        deployer.undeploy(NAME);
        waitForStatus("Reconnecting…");
        deployer.deploy(NAME);
        waitForStatus("Connected");
        wait.until(b -> !userTexts().isEmpty());
        assertEquals(List.of("Before the restart."), userTexts(), "the conversation came back from the store");
        type("After the restart.");
        wait.until(b -> assistantText().contains("turn 2") && !usageShown().isEmpty());
        // The README's screenshot (docs/chat-page.png is a copy of it).
        Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, Path.of("target/chat-page.png"), StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void editAndRegenerateMakeBranchesAndTheSwitchesGoBackAndForth() {
        type("first words");
        wait.until(b -> !usageShown().isEmpty());
        steer(".user", "edit");
        WebElement input = shadow().findElement(By.cssSelector("textarea"));
        assertEquals("first words", input.getAttribute("value"), "the message to edit is in the input");
        input.clear();
        input.sendKeys("second words");
        input.sendKeys(Keys.ENTER);
        wait.until(b -> assistantText().contains("second words") && forkLabel(".user").equals("2/2"));
        assertEquals(List.of("second words"), userTexts(), "the edited branch is shown");
        steer(".user", "previous");
        wait.until(b -> userTexts().equals(List.of("first words")) && forkLabel(".user").equals("1/2"));
        assertTrue(assistantText().contains("first words"), "the old branch, answer and all");

        steer(".assistant", "regenerate");
        wait.until(b -> forkLabel(".assistant").equals("2/2") && !usageShown().isEmpty());
        steer(".assistant", "previous");
        wait.until(b -> forkLabel(".assistant").equals("1/2"));
        steer(".assistant", "next");
        wait.until(b -> forkLabel(".assistant").equals("2/2"));
    }

    /** Clicks the branch control named {@code name} of the last message of {@code kind} (again if the page re-rendered it first). */
    private void steer(String kind, String name) {
        wait.until(b -> {
            List<WebElement> messages = shadow().findElements(By.cssSelector(".msg" + kind));
            List<WebElement> found = messages.isEmpty() ? List.of() : messages.get(messages.size() - 1).findElements(By.cssSelector(".steer button." + name));
            if (found.isEmpty() || !found.get(0).isEnabled()) {
                return false;
            }
            found.get(0).click();
            return true;
        });
    }

    /** The "1/2" of the last message of {@code kind}; empty if it has no alternatives. */
    private String forkLabel(String kind) {
        return settled(() -> {
            List<WebElement> messages = shadow().findElements(By.cssSelector(".msg" + kind));
            if (messages.isEmpty()) {
                return "";
            }
            List<WebElement> label = messages.get(messages.size() - 1).findElements(By.cssSelector(".steer .fork"));
            return label.isEmpty() ? "" : label.get(0).getText();
        });
    }

    private void type(String text) {
        WebElement input = shadow().findElement(By.cssSelector("textarea"));
        input.sendKeys(text);
        input.sendKeys(Keys.ENTER);
    }

    private SearchContext shadow() {
        return browser.findElement(By.cssSelector("chat-ws")).getShadowRoot();
    }

    private void waitForStatus(String status) {
        wait.until(b -> status.equals(shadow().findElement(By.cssSelector(".status")).getText()));
    }

    /** The text of the last assistant message, without its usage line. */
    private String assistantText() {
        return settled(() -> {
            List<WebElement> replies = shadow().findElements(By.cssSelector(".assistant .content"));
            return replies.isEmpty() ? "" : replies.get(replies.size() - 1).getText();
        });
    }

    private String usageShown() {
        return settled(() -> {
            List<WebElement> usage = shadow().findElements(By.cssSelector(".assistant .usage"));
            return usage.isEmpty() ? "" : usage.get(usage.size() - 1).getText();
        });
    }

    private List<String> userTexts() {
        return settled(() -> shadow().findElements(By.cssSelector(".user .content")).stream().map(WebElement::getText).toList());
    }

    /** What {@code read} reads of the transcript, read again if the page re-rendered it meanwhile. */
    private static <T> T settled(java.util.function.Supplier<T> read) {
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

    private String conversationId() {
        return (String) ((JavascriptExecutor) browser).executeScript("return sessionStorage.getItem('chat-ws.conversation')");
    }
}
