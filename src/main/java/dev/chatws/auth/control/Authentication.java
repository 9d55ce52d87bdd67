package dev.chatws.auth.control;

import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Who a MicroProfile JWT says the client is. The token is verified by SmallRye JWT with the
 * standard MicroProfile JWT configuration ({@code mp.jwt.verify.publickey} or
 * {@code mp.jwt.verify.publickey.location}, {@code mp.jwt.verify.issuer},
 * {@code mp.jwt.verify.audiences}, …): signature, issuer, expiry. The user is the token's
 * {@code upn}, else its {@code sub}. {@code chat.auth.required} ({@code false} by default) says
 * whether a socket without a valid token is refused.
 *
 * <p>Application-scoped and thread-safe. Tokens are never logged, not even in part.
 */
@ApplicationScoped
public class Authentication {

    private static final Logger LOG = Logger.getLogger(Authentication.class.getName());

    @Inject
    @ConfigProperty(name = "chat.auth.required", defaultValue = "false")
    boolean required;

    @Inject
    Instance<JWTParser> parser;

    /** The token of an {@code Authorization: Bearer …} header value; null for none or another scheme. */
    public static String bearer(String authorization) {
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7) && !authorization.substring(7).isBlank()) {
            return authorization.substring(7).strip();
        }
        return null;
    }

    /** Whether every socket needs a valid token. */
    public boolean required() {
        return required;
    }

    /** The user a valid {@code token} names; empty if it is not valid (bad signature, issuer, expired, …). */
    public Optional<String> verify(String token) {
        try {
            JsonWebToken jwt = parser.get().parse(token);
            String upn = jwt.getClaim("upn");
            String user = upn != null && !upn.isBlank() ? upn : jwt.getSubject();
            if (user == null || user.isBlank()) {
                LOG.info("Refused a token that names no user (neither upn nor sub)");
                return Optional.empty();
            }
            return Optional.of(user);
        } catch (ParseException e) {
            LOG.info(() -> "Refused a token that did not verify: " + e.getClass().getSimpleName()
                    + (e.getCause() == null ? "" : " (" + e.getCause().getClass().getSimpleName() + ")"));
            return Optional.empty();
        }
    }
}
