package dev.sluice.pipeline.reply;

import dev.sluice.pipeline.chain.PendingCall;
import dev.sluice.pipeline.chain.StageChain;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;

/**
 * Finds a tenant's reply by request id, whichever pipeline instance keeps it. Requests are keyed by
 * tenant, so the tenant's key names the one partition, and so the one instance, whose reply store
 * ({@link ReplyStore}) and in-flight store hold that tenant's requests (Kafka Streams' interactive
 * queries). A lookup for a partition another instance runs is forwarded to that instance's health
 * port ({@code application.server}) once, with the caller's credential, which every instance
 * verifies again ({@code ReplyEndpoint}).
 *
 * <p>A reply of another tenant is never answered: it is reported as unknown, so a caller cannot
 * tell another tenant's request id from one that does not exist.
 */
public final class ReplyLookup {
  /** Where a forwarded lookup goes on another instance; the one path of the contract. */
  public static final String PATH = "/replies/";

  /** Marks a lookup already forwarded once, so two instances that disagree cannot loop. */
  public static final String FORWARDED_HEADER = "X-Sluice-Forwarded";

  private static final Serializer<String> KEY = Serdes.String().serializer();
  private static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(5);

  /** What a lookup found. */
  public sealed interface Found {}

  /** The reply as it went to {@code llm.replies}. */
  public record Kept(byte[] reply) implements Found {}

  /** The request is in the pipeline: its provider call runs, or it waits for its rate limit. */
  public record InFlight() implements Found {}

  /** No reply and no request of this tenant under that id. */
  public record Unknown() implements Found {}

  /** The partition is moving between instances, restoring, or its instance is unreachable. */
  public record Unavailable(String why) implements Found {}

  private final KafkaStreams streams;
  private final HostInfo self;
  private final List<String> subTopologies;
  private final HttpClient http;

  /**
   * @param self this instance's {@code application.server}
   * @param subTopologies the prefixes of the sub-topologies whose stores are searched, in order
   */
  public ReplyLookup(KafkaStreams streams, HostInfo self, List<String> subTopologies) {
    this.streams = streams;
    this.self = self;
    this.subTopologies = List.copyOf(subTopologies);
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  }

  public List<String> subTopologies() {
    return subTopologies;
  }

  /**
   * Looks {@code requestId} up for {@code tenant} in each sub-topology's stores (or in the one
   * named), here or on the instance that runs the tenant's partition.
   *
   * @param authorization the caller's {@code Authorization} header, passed on when forwarding
   * @param forwarded whether this lookup was forwarded here by another instance
   */
  public Found find(
      String tenant,
      String requestId,
      List<String> inSubTopologies,
      String authorization,
      boolean forwarded) {
    Unavailable unavailable = null;
    for (String prefix : inSubTopologies) {
      Found found = findIn(prefix, tenant, requestId, authorization, forwarded);
      if (found instanceof Kept || found instanceof InFlight) {
        return found;
      }
      if (found instanceof Unavailable missing) {
        unavailable = missing;
      }
    }
    return unavailable != null ? unavailable : new Unknown();
  }

  private Found findIn(
      String prefix, String tenant, String requestId, String authorization, boolean forwarded) {
    String replies = prefix + ReplyStore.STORE_SUFFIX;
    KeyQueryMetadata where;
    try {
      where = streams.queryMetadataForKey(replies, tenant, KEY);
    } catch (IllegalStateException | InvalidStateStoreException e) {
      return new Unavailable("the pipeline is not running");
    }
    if (where == null || KeyQueryMetadata.NOT_AVAILABLE.equals(where)) {
      return new Unavailable("the tenant's partition has no instance yet");
    }
    if (!where.activeHost().equals(self)) {
      if (forwarded) {
        return new Unavailable("the tenant's partition is moving between instances");
      }
      return forward(where.activeHost(), prefix, requestId, authorization);
    }
    try {
      return local(prefix, where.partition(), tenant, requestId);
    } catch (InvalidStateStoreException e) {
      return new Unavailable("the tenant's partition is restoring or moving");
    }
  }

  private Found local(String prefix, int partition, String tenant, String requestId) {
    ReadOnlyWindowStore<String, byte[]> replies =
        streams.store(
            StoreQueryParameters.fromNameAndType(
                    prefix + ReplyStore.STORE_SUFFIX,
                    QueryableStoreTypes.<String, byte[]>windowStore())
                .withPartition(partition));
    byte[] kept = ReplyStore.first(replies, tenant, requestId, System.currentTimeMillis());
    if (kept != null) {
      // Kept under the tenant's own key; the reply's tenant is checked again all the same.
      return tenant.equals(ReplyStore.reply(kept).tenant()) ? new Kept(kept) : new Unknown();
    }
    ReadOnlyKeyValueStore<String, PendingCall> pending =
        streams.store(
            StoreQueryParameters.fromNameAndType(
                    prefix + StageChain.STORE_SUFFIX,
                    QueryableStoreTypes.<String, PendingCall>keyValueStore())
                .withPartition(partition));
    PendingCall call = pending.get(requestId);
    if (call != null && tenant.equals(call.request().principal().tenant())) {
      return new InFlight();
    }
    return new Unknown();
  }

  /** Asks the instance that runs the partition; its answer is this lookup's. */
  private Found forward(HostInfo owner, String prefix, String requestId, String authorization) {
    URI uri =
        URI.create(
            "http://"
                + owner.host()
                + ":"
                + owner.port()
                + PATH
                + URLEncoder.encode(requestId, StandardCharsets.UTF_8)
                + "?in="
                + prefix);
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(FORWARD_TIMEOUT)
            .header("Authorization", authorization)
            .header(FORWARDED_HEADER, "true")
            .GET()
            .build();
    try {
      HttpResponse<byte[]> answer = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
      return switch (answer.statusCode()) {
        case 200 -> new Kept(answer.body());
        case 202 -> new InFlight();
        case 404 -> new Unknown();
        default ->
            new Unavailable("the instance that keeps the reply answered " + answer.statusCode());
      };
    } catch (IOException e) {
      return new Unavailable("the instance that keeps the reply could not be reached");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Unavailable("interrupted");
    }
  }
}
