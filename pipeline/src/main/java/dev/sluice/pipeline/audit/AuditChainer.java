package dev.sluice.pipeline.audit;

import dev.sluice.schemas.audit.AuditRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Links each decision into its task's chain and forwards it to {@code llm.audit}. A chain has one
 * writer, this task (chain id = application and task id), always on its stream thread; its head
 * lives in a changelogged store. The audit application runs exactly-once, so the new head, the
 * record and the input offset commit together: a crash can never leave a link to a record that did
 * not land.
 */
public final class AuditChainer implements Processor<String, AuditRecord, String, AuditRecord> {
  public static final String STORE = "audit-chain-heads";

  private final String applicationId;
  private ProcessorContext<String, AuditRecord> context;
  private KeyValueStore<String, String> heads;
  private String chainId;

  public AuditChainer(String applicationId) {
    this.applicationId = applicationId;
  }

  @Override
  public void init(ProcessorContext<String, AuditRecord> context) {
    this.context = context;
    this.heads = context.getStateStore(STORE);
    this.chainId = applicationId + "/" + context.taskId();
  }

  @Override
  public void process(Record<String, AuditRecord> record) {
    String previous = heads.get(chainId);
    AuditRecord linked =
        AuditChain.link(record.value(), chainId, previous == null ? AuditChain.GENESIS : previous);
    heads.put(chainId, linked.hash());
    context.forward(new Record<>(AuditDecisions.key(linked), linked, record.timestamp()));
  }
}
