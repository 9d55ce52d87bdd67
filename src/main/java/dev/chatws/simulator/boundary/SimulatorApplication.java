package dev.chatws.simulator.boundary;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import java.util.Set;

/**
 * The simulated model's HTTP API, under {@code /simulator}: {@code POST /simulator/v1/chat/completions}.
 * It holds only the simulator's resource, so other JAX-RS applications of the WAR stay separate.
 */
@ApplicationPath("/simulator")
public class SimulatorApplication extends Application {

    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(SimulatorResource.class);
    }
}
