package dev.chatws.fake;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import java.util.Set;

/** The scripted fake upstream of the integration tests, under {@code /fake}. */
@ApplicationPath("/fake")
public class FakeUpstreamApplication extends Application {

    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(FakeUpstream.class);
    }
}
