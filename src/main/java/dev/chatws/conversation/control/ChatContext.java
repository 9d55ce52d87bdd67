package dev.chatws.conversation.control;

import jakarta.enterprise.context.ContextNotActiveException;
import jakarta.enterprise.context.spi.AlterableContext;
import jakarta.enterprise.context.spi.Contextual;
import jakarta.enterprise.context.spi.CreationalContext;
import java.lang.annotation.Annotation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The CDI context of {@link ChatScoped}: a store of bean instances per conversation id, and the id
 * that is current on this thread. Registered by {@link ChatScopeExtension}; driven by
 * {@link ChatScope}.
 *
 * <p>Thread-safe: stores are found in a concurrent map, and each store is guarded by its own lock,
 * so callbacks of different conversations never contend.
 */
public final class ChatContext implements AlterableContext {

    private final Map<String, Store> stores = new ConcurrentHashMap<>();
    private final ThreadLocal<String> current = new ThreadLocal<>();

    @Override
    public Class<? extends Annotation> getScope() {
        return ChatScoped.class;
    }

    @Override
    public boolean isActive() {
        return current.get() != null;
    }

    @Override
    public <T> T get(Contextual<T> contextual, CreationalContext<T> creationalContext) {
        return store().get(contextual, creationalContext);
    }

    @Override
    public <T> T get(Contextual<T> contextual) {
        return store().get(contextual, null);
    }

    @Override
    public void destroy(Contextual<?> contextual) {
        store().destroy(contextual);
    }

    /**
     * Registers an empty store for {@code id}, with {@code seed} (may be null) for its beans to start
     * from; false if the id is taken.
     */
    boolean open(String id, Object seed) {
        return stores.putIfAbsent(id, new Store(seed)) == null;
    }

    /** The seed the current conversation was opened with, or null. */
    Object seed() {
        return store().seed;
    }

    boolean exists(String id) {
        return stores.containsKey(id);
    }

    Set<String> ids() {
        return Set.copyOf(stores.keySet());
    }

    /** Runs {@code task} with {@code id} as the current conversation of this thread. */
    void run(String id, Runnable task) {
        if (!stores.containsKey(id)) {
            throw new ContextNotActiveException("No conversation " + id);
        }
        String outer = current.get();
        current.set(id);
        try {
            task.run();
        } finally {
            if (outer == null) {
                current.remove();
            } else {
                current.set(outer);
            }
        }
    }

    String currentId() {
        String id = current.get();
        if (id == null) {
            throw new ContextNotActiveException("No conversation is current on this thread");
        }
        return id;
    }

    /** Destroys every bean instance of conversation {@code id} and forgets the id. */
    void close(String id) {
        Store store = stores.remove(id);
        if (store != null) {
            store.destroyAll();
        }
    }

    private Store store() {
        Store store = stores.get(currentId());
        if (store == null) {
            throw new ContextNotActiveException("The conversation has ended");
        }
        return store;
    }

    /** The bean instances of one conversation. */
    private static final class Store {
        private final Map<Contextual<?>, Held<?>> instances = new LinkedHashMap<>();
        private final Object seed;

        Store(Object seed) {
            this.seed = seed;
        }

        @SuppressWarnings("unchecked")
        synchronized <T> T get(Contextual<T> contextual, CreationalContext<T> creationalContext) {
            Held<T> held = (Held<T>) instances.get(contextual);
            if (held != null) {
                return held.instance();
            }
            if (creationalContext == null) {
                return null;
            }
            T instance = contextual.create(creationalContext);
            instances.put(contextual, new Held<>(contextual, instance, creationalContext));
            return instance;
        }

        void destroy(Contextual<?> contextual) {
            Held<?> held;
            synchronized (this) {
                held = instances.remove(contextual);
            }
            if (held != null) {
                held.destroy();
            }
        }

        void destroyAll() {
            List<Held<?>> all;
            synchronized (this) {
                all = new ArrayList<>(instances.values());
                instances.clear();
            }
            all.forEach(Held::destroy);
        }
    }

    private record Held<T>(Contextual<T> contextual, T instance, CreationalContext<T> creationalContext) {
        void destroy() {
            contextual.destroy(instance, creationalContext);
        }
    }
}
