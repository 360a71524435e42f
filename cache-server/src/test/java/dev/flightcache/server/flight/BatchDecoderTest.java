package dev.flightcache.server.flight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.LargeVarCharVector;
import org.apache.arrow.vector.NullVector;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.complex.impl.UnionFixedSizeListWriter;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.apache.arrow.vector.complex.writer.BaseWriter.StructWriter;
import org.apache.arrow.vector.ipc.message.ArrowBuffer;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BatchDecoderTest {
  private static final long MAX = 1 << 20;

  private final BufferAllocator allocator = new RootAllocator();

  @AfterEach
  void close() {
    allocator.close(); // fails on a leak
  }

  @Test
  void decode_everySupportedLayout_loadsTheSameValues() {
    try (VectorSchemaRoot root = everyLayout(3)) {
      try (ArrowRecordBatch decoded = decode(root, batch -> batch, UnaryOperator.identity());
          VectorSchemaRoot loaded = VectorSchemaRoot.create(root.getSchema(), allocator)) {
        new VectorLoader(loaded).load(decoded);
        assertThat(loaded.getRowCount()).isEqualTo(3);
        assertThat(loaded.equals(root)).as("%s", loaded.contentToTSVString()).isTrue();
      }
    }
  }

  @Test
  void decode_listOffsetsPastTheChild_refused() {
    try (VectorSchemaRoot root = everyLayout(3)) {
      // The child of the list column holds 6 values; claim 2 for it.
      assertRefused(root, nodes -> replace(nodes, listChildNode(root), 2), "rows where 6 are needed");
    }
  }

  @Test
  void decode_structChildShorterThanStruct_refused() {
    try (VectorSchemaRoot root = everyLayout(3)) {
      assertRefused(root, nodes -> replace(nodes, structChildNode(root), 1), "rows where 3 are needed");
    }
  }

  @Test
  void decode_nullCountAboveRowCount_refused() {
    try (VectorSchemaRoot root = everyLayout(3)) {
      assertRefused(root, nodes -> {
        List<ArrowFieldNode> lying = new ArrayList<>(nodes);
        lying.set(0, new ArrowFieldNode(3, 4));
        return lying;
      }, "claims 3 rows and 4 nulls");
    }
  }

  @Test
  void decode_nullColumnClaimingIntMaxRows_refusedAsMoreThanItsBuffersHold() {
    Field struct = new Field("s", FieldType.nullable(ArrowType.Struct.INSTANCE), List.of(Field.nullable("z", ArrowType.Null.INSTANCE)));
    try (VectorSchemaRoot root = VectorSchemaRoot.create(new Schema(List.of(struct)), allocator)) {
      root.setRowCount(0);
      assertThatThrownBy(() -> decode(root, nodes -> List.of(
              new ArrowFieldNode(Integer.MAX_VALUE, 0), new ArrowFieldNode(Integer.MAX_VALUE, 0)), Integer.MAX_VALUE))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("more rows than their");
    }
  }

  @Test
  void decode_utf8OffsetsGoingBack_refused() {
    try (VectorSchemaRoot root = everyLayout(3)) {
      LargeVarCharVector text = (LargeVarCharVector) root.getVector("text");
      text.getOffsetBuffer().setLong(2 * Long.BYTES, 0); // offsets 0, 1, 0, ...
      assertRefused(root, UnaryOperator.identity(), "offsets that go back at row 1");
    }
  }

  private void assertRefused(VectorSchemaRoot root, UnaryOperator<List<ArrowFieldNode>> lie, String reason) {
    assertThatThrownBy(() -> decode(root, lie, UnaryOperator.identity()).close())
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining(reason);
  }

  private ArrowRecordBatch decode(VectorSchemaRoot root, UnaryOperator<List<ArrowFieldNode>> lie, int rows) {
    return decode(root, lie, UnaryOperator.identity(), rows);
  }

  private ArrowRecordBatch decode(
      VectorSchemaRoot root, UnaryOperator<List<ArrowFieldNode>> lie, UnaryOperator<byte[]> bodyEdit) {
    return decode(root, lie, bodyEdit, root.getRowCount());
  }

  /** Unloads the root as a client would send it, with its nodes rewritten by {@code lie}, and decodes it. */
  private ArrowRecordBatch decode(
      VectorSchemaRoot root, UnaryOperator<List<ArrowFieldNode>> lie, UnaryOperator<byte[]> bodyEdit, int rows) {
    try (ArrowRecordBatch honest = new VectorUnloader(root).getRecordBatch();
        ArrowRecordBatch sent = new ArrowRecordBatch(rows, lie.apply(honest.getNodes()), honest.getBuffers())) {
      ByteBuffer header = MessageSerializer.serializeMetadata(sent, IpcOption.DEFAULT);
      Message message = Message.getRootAsMessage(header.order(ByteOrder.LITTLE_ENDIAN));
      byte[] body = new byte[(int) sent.computeBodyLength()];
      List<ArrowBuffer> layout = sent.getBuffersLayout();
      for (int i = 0; i < layout.size(); i++) {
        ArrowBuf buffer = sent.getBuffers().get(i);
        buffer.getBytes(0, body, (int) layout.get(i).getOffset(), (int) buffer.readableBytes());
      }
      body = bodyEdit.apply(body);
      try (ArrowBuf bodyBuf = allocator.buffer(Math.max(1, body.length))) {
        bodyBuf.setBytes(0, body);
        bodyBuf.writerIndex(body.length);
        return BatchDecoder.decode(message, root.getSchema().getFields(), bodyBuf, allocator, MAX);
      }
    }
  }

  private static List<ArrowFieldNode> replace(List<ArrowFieldNode> nodes, int index, long rows) {
    List<ArrowFieldNode> lying = new ArrayList<>(nodes);
    lying.set(index, new ArrowFieldNode(rows, 0));
    return lying;
  }

  /** Node index of the list column's child: nodes are in depth-first order. */
  private static int listChildNode(VectorSchemaRoot root) {
    return nodeIndex(root, "list") + 1;
  }

  private static int structChildNode(VectorSchemaRoot root) {
    return nodeIndex(root, "struct") + 1;
  }

  private static int nodeIndex(VectorSchemaRoot root, String name) {
    int index = 0;
    for (Field field : root.getSchema().getFields()) {
      if (field.getName().equals(name)) {
        return index;
      }
      index += count(field);
    }
    throw new IllegalArgumentException(name);
  }

  private static int count(Field field) {
    int n = 1;
    for (Field child : field.getChildren()) {
      n += count(child);
    }
    return n;
  }

  /** One column of each layout the decoder checks, {@code rows} rows, with a null here and there. */
  private VectorSchemaRoot everyLayout(int rows) {
    List<Field> fields = List.of(
        Field.nullable("id", new ArrowType.Int(64, true)),
        Field.nullable("flag", ArrowType.Bool.INSTANCE),
        Field.nullable("money", new ArrowType.Decimal(20, 2, 128)),
        Field.nullable("fixed", new ArrowType.FixedSizeBinary(3)),
        Field.nullable("text", ArrowType.LargeUtf8.INSTANCE),
        Field.nullable("nothing", ArrowType.Null.INSTANCE),
        new Field("list", FieldType.nullable(ArrowType.List.INSTANCE), List.of(Field.nullable("item", new ArrowType.Int(32, true)))),
        new Field("pairs", FieldType.nullable(new ArrowType.FixedSizeList(2)),
            List.of(Field.nullable("item", new ArrowType.Int(32, true)))),
        new Field("struct", FieldType.nullable(ArrowType.Struct.INSTANCE), List.of(Field.nullable("a", new ArrowType.Int(64, true)))));
    VectorSchemaRoot root = VectorSchemaRoot.create(new Schema(fields), allocator);
    root.allocateNew();
    UnionListWriter list = ((ListVector) root.getVector("list")).getWriter();
    UnionFixedSizeListWriter pairs = ((FixedSizeListVector) root.getVector("pairs")).getWriter();
    StructWriter struct = ((StructVector) root.getVector("struct")).getWriter();
    for (int row = 0; row < rows; row++) {
      ((BigIntVector) root.getVector("id")).setSafe(row, row * 10L);
      if (row != 1) {
        ((BitVector) root.getVector("flag")).setSafe(row, row % 2);
      }
      ((DecimalVector) root.getVector("money")).setSafe(row, new BigDecimal(row + ".25"));
      ((FixedSizeBinaryVector) root.getVector("fixed")).setSafe(row, new byte[] {(byte) row, 2, 3});
      ((LargeVarCharVector) root.getVector("text")).setSafe(row, ("t" + row).getBytes(StandardCharsets.UTF_8));
      list.setPosition(row);
      list.startList();
      list.integer().writeInt(row);
      list.integer().writeInt(row + 1);
      list.endList();
      pairs.setPosition(row);
      pairs.startList();
      pairs.integer().writeInt(row);
      pairs.integer().writeInt(-row);
      pairs.endList();
      struct.setPosition(row);
      struct.start();
      struct.bigInt("a").writeBigInt(row);
      struct.end();
    }
    ((NullVector) root.getVector("nothing")).setValueCount(rows);
    root.setRowCount(rows);
    return root;
  }
}
