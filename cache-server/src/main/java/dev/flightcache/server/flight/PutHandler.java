package dev.flightcache.server.flight;

import dev.flightcache.proto.KeyPath;
import dev.flightcache.proto.ObjectKey;
import dev.flightcache.proto.ObjectRef;
import dev.flightcache.proto.Permission;
import dev.flightcache.proto.Protocol;
import dev.flightcache.server.auth.Principal;
import dev.flightcache.server.auth.Scope;
import dev.flightcache.server.store.FileObjectStore;
import dev.flightcache.server.store.ObjectEntry;
import dev.flightcache.server.store.ObjectFormat;
import dev.flightcache.server.store.PendingWrite;
import com.google.protobuf.ByteString;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.impl.Flight;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * do_put: a put, a replace or a patch, served as a gRPC call listener ({@link PutService}). Each
 * message is read, checked and written to a pending write on the call thread gRPC delivers it on,
 * and only then is the next one requested, so memory stays bounded by one message and no thread
 * waits for the client between messages. Only a complete, valid upload is committed, and the
 * answer is exactly one {@code PutResult} holding the BSON ref. A refused, cancelled or dropped
 * upload closes its pending write at once: temp file, reservations and quota charge go with it.
 */
final class PutHandler {
  private static final Logger logger = LoggerFactory.getLogger(PutHandler.class);

  private final FileObjectStore store;
  private final BufferAllocator allocator;
  private final String endpoint;

  PutHandler(FileObjectStore store, BufferAllocator allocator, String endpoint) {
    this.store = store;
    this.allocator = allocator;
    this.endpoint = endpoint;
  }

  /** What a do_put asks for, read from its descriptor. */
  /** @param shown the key, or for a put to a session that session, as the caller named it */
  private record Target(ObjectKey key, boolean patch, String shown) {
    static Target of(Flight.FlightDescriptor descriptor) {
      switch (descriptor.getType()) {
        case CMD -> {
          String command = descriptor.getCmd().toStringUtf8();
          if (!command.startsWith(Protocol.PATCH_COMMAND_PREFIX)) {
            throw new InvalidRequestException("key must be provided in descriptor path or command");
          }
          ObjectKey key = ObjectKey.parse(command.substring(Protocol.PATCH_COMMAND_PREFIX.length()));
          return new Target(key, true, key.toString());
        }
        case PATH -> {
          List<String> path = descriptor.getPathList();
          if (path.isEmpty() || path.get(0).isEmpty()) {
            throw new InvalidRequestException("key must be provided in descriptor path or command");
          }
          KeyPath keyPath = KeyPath.parse(path.get(0));
          if (keyPath.isAppWildcard()) {
            throw new InvalidRequestException("cannot put to '" + keyPath + "': name a session or a key");
          }
          ObjectKey key =
              keyPath.isFullKey() ? keyPath.toKey() : ObjectKey.generated(keyPath.app(), keyPath.session());
          return new Target(key, false, keyPath.toString());
        }
        default -> throw new InvalidRequestException(
            "descriptor type " + descriptor.getType() + ": key must be provided in descriptor path or command");
      }
    }
  }

  /**
   * Starts serving one do_put and asks for its first message.
   *
   * @param caller who is writing; checked as soon as the descriptor is read, before any payload
   * @param maxBatchBytes the most one batch may decompress to
   */
  ServerCall.Listener<InputStream> start(
      ServerCall<InputStream, Flight.PutResult> call, CallTracking tracking, Principal caller, long maxBatchBytes) {
    Upload upload = new Upload(call, tracking, caller, maxBatchBytes);
    call.request(1);
    return upload;
  }

  /**
   * One upload. gRPC calls a listener's methods one at a time, in order, so its state needs no lock;
   * after it ends ({@code done}) it ignores whatever else arrives.
   */
  private final class Upload extends ServerCall.Listener<InputStream> {
    private final ServerCall<InputStream, Flight.PutResult> call;
    private final CallTracking tracking;
    private final Principal caller;
    private final long maxBatchBytes;
    private Target target;
    private Schema schema;
    private PendingWrite write;
    private WriteChannel tableOut;
    private long rows;
    private long batches;
    private boolean done;

    Upload(ServerCall<InputStream, Flight.PutResult> call, CallTracking tracking, Principal caller, long maxBatchBytes) {
      this.call = call;
      this.tracking = tracking;
      this.caller = caller;
      this.maxBatchBytes = maxBatchBytes;
    }

    @Override
    public void onMessage(InputStream in) {
      if (done) {
        return;
      }
      try (PutMessage message = PutMessage.read(in, allocator, this::describe)) {
        accept(message);
      } catch (Throwable failure) {
        fail(failure);
        return;
      }
      call.request(1);
    }

    /** The first descriptor names the target: the grant is checked before anything else is read. */
    private void describe(Flight.FlightDescriptor descriptor) {
      if (target == null) {
        Target named = Target.of(descriptor);
        tracking.key(named.key().toString());
        caller.require(Permission.WRITE, Scope.of(named.key()), named.shown());
        target = named;
      }
    }

    private void accept(PutMessage message) throws IOException {
      if (target == null) {
        throw new InvalidRequestException("the first message of a put must carry its descriptor (a path or a PATCH: command)");
      }
      if (message.header.length == 0) {
        if (schema == null) {
          throw new InvalidRequestException("No data received: the first message of a put must carry its schema");
        }
        if (message.bodyBytes() > 0) {
          throw new InvalidRequestException("Failed to decode batch: a body without a message header");
        }
        return; // app_metadata alone, which puts ignore
      }
      Message header = IpcHeaders.message(message.header);
      switch (header.headerType()) {
        case MessageHeader.Schema -> {
          if (schema != null) {
            throw new InvalidRequestException("a put carries one schema, not two");
          }
          begin(IpcHeaders.schema(header, message.header.length));
        }
        case MessageHeader.RecordBatch -> {
          if (schema == null) {
            throw new InvalidRequestException("the first message of a put must carry its schema, not a batch");
          }
          try (ArrowRecordBatch batch = BatchDecoder.decode(header, schema.getFields(), message.body, allocator, maxBatchBytes)) {
            if (tableOut != null) {
              MessageSerializer.serialize(tableOut, batch);
              batches++;
            } else {
              writeRows(batch);
            }
          }
        }
        case MessageHeader.DictionaryBatch -> throw new InvalidRequestException("dictionary batches are not supported");
        default -> throw new InvalidRequestException(
            "Failed to decode message header: IPC message type " + header.headerType());
      }
    }

    private void begin(Schema uploaded) throws IOException {
      if (Protocol.isNativeTable(uploaded)) {
        if (target.patch()) {
          throw new InvalidRequestException("a patch is bytes: send (version uint64, data binary) rows, not an Arrow table");
        }
        write = store.beginPut(target.key());
        tableOut = new WriteChannel(write.channel());
        MessageSerializer.serialize(tableOut, uploaded);
      } else {
        checkOpaqueSchema(uploaded);
        write = target.patch() ? store.beginPatch(target.key()) : store.beginPut(target.key());
      }
      schema = uploaded;
    }

    /** Appends the {@code data} of every row, in order: one range of the data buffer, offsets checked. */
    private void writeRows(ArrowRecordBatch batch) throws IOException {
      int count = batch.getLength();
      if (count == 0) {
        return;
      }
      ArrowFieldNode data = batch.getNodes().get(1);
      List<ArrowBuf> buffers = batch.getBuffers();
      if (data.getNullCount() != 0) {
        throw new InvalidRequestException("row " + (rows + firstNull(buffers.get(2), count)) + " has a null 'data' value");
      }
      ArrowBuf offsets = buffers.get(3);
      int start = offsets.getInt(0);
      int end = offsets.getInt((long) count * Integer.BYTES);
      if (end > start) {
        write.write(buffers.get(4).nioBuffer(start, end - start));
      }
      rows += count;
    }

    @Override
    public void onHalfClose() {
      if (done) {
        return;
      }
      try {
        if (schema == null) {
          throw new InvalidRequestException("No data received: the upload ended before its schema");
        }
        ObjectEntry entry;
        if (tableOut != null) {
          if (batches == 0) {
            throw new InvalidRequestException("No data received: a table upload needs at least one batch");
          }
          ArrowStreamWriter.writeEndOfStream(tableOut, IpcOption.DEFAULT);
          entry = store.commitPut(target.key(), ObjectFormat.TABLE, write);
        } else {
          if (rows == 0) {
            throw new InvalidRequestException("No data received: an upload needs at least one row");
          }
          entry = target.patch()
              ? store.commitPatch(target.key(), write)
              : store.commitPut(target.key(), ObjectFormat.OPAQUE, write);
        }
        done = true;
        release();
        tracking.version(entry.version());
        byte[] ref = new ObjectRef(endpoint, entry.key(), entry.version()).toBson();
        call.sendHeaders(new Metadata());
        call.sendMessage(Flight.PutResult.newBuilder().setAppMetadata(ByteString.copyFrom(ref)).build());
        PutService.ok(call);
        logger.debug("Stored {} v{} ({} bytes)", entry.key(), entry.version(), entry.sizeBytes());
      } catch (Throwable failure) {
        fail(failure);
      }
    }

    @Override
    public void onCancel() {
      if (done) {
        return;
      }
      done = true;
      release();
      tracking.cancelled();
      logger.debug("Put of {} cancelled by the client", target == null ? "(no descriptor yet)" : target.shown());
    }

    private void fail(Throwable failure) {
      done = true;
      release();
      FlightRuntimeException status = CallErrors.toFlight(failure);
      if (status.status().code() != FlightStatusCode.INTERNAL) {
        logger.debug("Put of {} refused: {}", target == null ? "(no descriptor)" : target.shown(), status.getMessage());
      }
      PutService.close(call, status);
    }

    /** Counts the bytes received and closes the pending write, which deletes it unless committed. */
    private void release() {
      if (write == null) {
        return;
      }
      tracking.addBytesIn(write.sizeBytes());
      try {
        write.close();
      } catch (IOException e) {
        logger.warn("Could not remove an abandoned upload's temp file: {}", e.toString());
      }
      write = null;
      tableOut = null;
    }
  }

  private static void checkOpaqueSchema(Schema schema) {
    List<Field> fields = schema.getFields();
    boolean versionOk = fields.size() >= 2 && fields.get(0).getType().equals(new ArrowType.Int(64, false));
    boolean dataOk = fields.size() >= 2 && fields.get(1).getType().equals(ArrowType.Binary.INSTANCE);
    if (!versionOk || !dataOk) {
      throw new InvalidRequestException(
          "Invalid upload schema: expected column 0 'version' uint64 and column 1 'data' binary, got " + schema);
    }
  }

  /** The first row whose validity bit is clear. */
  private static long firstNull(ArrowBuf validity, int count) {
    for (int row = 0; row < count && row / 8 < validity.writerIndex(); row++) {
      if ((validity.getByte(row / 8) & (1 << (row % 8))) == 0) {
        return row;
      }
    }
    return 0;
  }
}
