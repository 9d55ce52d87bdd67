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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.SearchContext;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
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
    private static final String LONG = "Please answer at length. " + "The quick brown fox jumps over the lazy dog. ".repeat(12);

    @ArquillianResource
    Deployer deployer;

    private PageDriver page;
    private ChromeDriver browser;
    private WebDriverWait wait;

    @Deployment(name = NAME, managed = false, testable = false)
    static WebArchive deployment() {
        return Deployments.simulated(NAME, "chat.simulator.tokens-per-second=25");
    }

    @BeforeEach
    void open() throws Exception {
        PageDriver.assumeChromium();
        deployer.deploy(NAME);
        page = PageDriver.start(1000, 760);
        browser = page.browser;
        wait = page.wait;
        browser.get(PAGE);
        waitForStatus("Connected");
    }

    @AfterEach
    void close() {
        if (page != null) {
            page.close();
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
        String partial = assistantText().replaceFirst("\\s*\\[stopped\\]$", "");
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
        // A screenshot of the page after a restart, for people reading the build's output.
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
        page.type(text);
    }

    private SearchContext shadow() {
        return page.shadow();
    }

    private void waitForStatus(String status) {
        page.waitForStatus(status);
    }

    private String assistantText() {
        return page.assistantText();
    }

    private String usageShown() {
        return page.usageShown();
    }

    private List<String> userTexts() {
        return page.userTexts();
    }

    private static <T> T settled(java.util.function.Supplier<T> read) {
        return PageDriver.settled(read);
    }

    private String conversationId() {
        return (String) page.script("return sessionStorage.getItem('chat-ws.conversation')");
    }
}
