package dev.chatws.config;

import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Settings of the platform's own features that chat-ws ships with, as a MicroProfile Config source
 * of the lowest ordinal, so that every other source (the server's variables, the environment, a
 * deployment's {@code microprofile-config.properties}) overrides them:
 * <ul>
 * <li>{@code mp.openapi.scan.disable=true}: {@code /openapi} is exactly {@code META-INF/openapi.yaml},
 * the HTTP API with its schemas written out; scanning would add the built-in simulator's paths and
 * replace those schemas with ones derived from the Java types.</li>
 * </ul>
 * Registered in {@code META-INF/services/org.eclipse.microprofile.config.spi.ConfigSource}. Immutable.
 */
public final class ProductDefaults implements ConfigSource {

    private static final Map<String, String> DEFAULTS = Map.of("mp.openapi.scan.disable", "true");

    @Override
    public Set<String> getPropertyNames() {
        return DEFAULTS.keySet();
    }

    @Override
    public String getValue(String name) {
        return DEFAULTS.get(name);
    }

    @Override
    public String getName() {
        return "chat-ws defaults";
    }

    @Override
    public int getOrdinal() {
        return 1;
    }
}
