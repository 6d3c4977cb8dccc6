package io.tenantindex.writer;

/** One change the single writer thread applies: register/update, or deregister (tombstone). */
public sealed interface WriteCommand {
    String tenantId();

    Precondition precondition();

    record Put(RegistrationRequest request, Precondition precondition) implements WriteCommand {
        @Override
        public String tenantId() {
            return request.tenantId();
        }
    }

    record Delete(String tenantId, Precondition precondition) implements WriteCommand {
    }
}
