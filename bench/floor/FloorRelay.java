package floor;

import jakarta.websocket.OnMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.Flow;

/**
 * The floor of bench/peers.sh: the least a WebSocket relay on Liberty can do. Each text message
 * (a ChatRequest) is POSTed to the upstream with "stream": true; each SSE data line is sent to the
 * socket as it is, with the blocking endpoint, on the HTTP client's thread; [DONE] becomes a
 * minimal chat.completion. No history, no store, no limits, no error handling: not a product,
 * only what Liberty's WebSocket and the JDK's HTTP client cost per chunk.
 */
@ServerEndpoint("/floor")
public class FloorRelay {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final URI UPSTREAM = URI.create(System.getenv().getOrDefault("FLOOR_UPSTREAM", "http://127.0.0.1:18081/v1/chat/completions"));

    @OnMessage
    public void message(String text, Session session) {
        HttpRequest request = HttpRequest.newBuilder(UPSTREAM).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"stream\":true," + text.substring(1))).build();
        HTTP.sendAsync(request, HttpResponse.BodyHandlers.fromLineSubscriber(new Flow.Subscriber<String>() {
            private Flow.Subscription subscription;

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(String line) {
                if (!line.startsWith("data: ")) {
                    return;
                }
                String data = line.substring(6);
                try {
                    session.getBasicRemote().sendText(data.equals("[DONE]") ? "{\"object\":\"chat.completion\"}" : data);
                } catch (IOException e) {
                    subscription.cancel();
                }
            }

            @Override
            public void onError(Throwable e) {
            }

            @Override
            public void onComplete() {
            }
        }));
    }
}
