package dev.chatws.conversation.boundary;

import dev.chatws.auth.control.Authentication;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;

/**
 * Who calls the HTTP API (PROTOCOL §12), by the same rules as the socket (§7): a valid bearer token
 * names the user; a token that does not verify, or none where {@code chat.auth.required}, is 401.
 * Application-scoped and stateless.
 */
@ApplicationScoped
public class Callers {

    @Inject
    Authentication authentication;

    /** The caller's user, or empty for an anonymous caller where that is allowed. */
    Optional<String> of(String authorization) {
        String token = Authentication.bearer(authorization);
        if (token == null) {
            if (authentication.required()) {
                throw ApiErrors.unauthorized("A bearer token is required.");
            }
            return Optional.empty();
        }
        return Optional.of(authentication.verify(token).orElseThrow(() -> ApiErrors.unauthorized("The bearer token is not valid.")));
    }

    /** The caller's user; 401 without a valid token, whatever {@code chat.auth.required} says (lists and erase-all). */
    String user(String authorization) {
        return of(authorization).orElseThrow(() -> ApiErrors.unauthorized("A bearer token is required to list or erase a user's conversations."));
    }
}
