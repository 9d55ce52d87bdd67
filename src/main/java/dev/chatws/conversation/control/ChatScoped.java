package dev.chatws.conversation.control;

import jakarta.enterprise.context.NormalScope;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The scope of the chat session: one bean instance per conversation id, for as long as the
 * conversation lives, whichever socket (or none) is attached to it. It stands where the design card
 * has {@code @SessionScoped}, whose context Liberty does not activate in WebSocket callbacks.
 *
 * <p>The context is active inside {@link ChatScope#run(String, Runnable)}; the endpoint wraps each
 * callback of a socket in it with that socket's conversation id.
 */
@NormalScope
@Inherited
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.FIELD})
public @interface ChatScoped {
}
