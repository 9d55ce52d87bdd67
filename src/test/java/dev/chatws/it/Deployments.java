package dev.chatws.it;

import dev.chatws.fake.FakeUpstream;
import java.io.File;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/** The archives the integration tests deploy: the WAR the build produced, as users get it, plus test parts. */
final class Deployments {

    static final int HTTP_PORT = Integer.getInteger("it.http.port", 9380);

    /** Every test client comes from 127.0.0.1: the per-client limits are off but where a test is about them. */
    private static final String NO_CLIENT_LIMITS = "chat.limits.connections-per-client=0\nchat.limits.turns-per-minute=0\nchat.limits.frames-per-second=0\n";

    private Deployments() {
    }

    /** The built WAR as it is: its upstream is the built-in simulated model. */
    static WebArchive product(String name) {
        return ShrinkWrap.create(ZipImporter.class, name + ".war")
                .importFrom(new File("target/chat-ws.war"))
                .as(WebArchive.class);
    }

    /** The built WAR with its built-in simulated model, and {@code config} lines of MicroProfile Config. */
    static WebArchive simulated(String name, String... config) {
        return product(name).addAsResource(new StringAsset(String.join("\n", config) + "\n"), "META-INF/microprofile-config.properties");
    }

    /** The built WAR whose upstream is at {@code url}, with {@code moreConfig} lines of MicroProfile Config. */
    static WebArchive withUpstream(String name, String url, String... moreConfig) {
        String config = "chat.upstream.url=" + url + "\n" + NO_CLIENT_LIMITS + String.join("\n", moreConfig) + "\n";
        return product(name).addAsResource(new StringAsset(config), "META-INF/microprofile-config.properties");
    }

    /** The built WAR whose upstream is the scripted fake in the test JVM, with an API key. */
    static WebArchive withFakeUpstream(String name, String apiKey, String... moreConfig) {
        String config = "chat.upstream.url=" + FakeUpstream.url() + "\n"
                + "chat.upstream.api-key=" + apiKey + "\n"
                + "chat.model=fake-default\n"
                + "chat.upstream.first-chunk-timeout=PT2S\n"
                + "chat.upstream.idle-timeout=PT2S\n"
                + "chat.max-frame-bytes=65536\n"
                + "chat.max-backlog-bytes=262144\n"
                + "chat.write-timeout=PT1S\n"
                + "chat.history.max-tokens=2000\n"
                + "chat.upstream.breaker.failures=1000\n"
                + "chat.resume.grace=PT1S\n"
                + NO_CLIENT_LIMITS
                + String.join("\n", moreConfig) + "\n";
        return product(name).addAsResource(new StringAsset(config), "META-INF/microprofile-config.properties");
    }
}
