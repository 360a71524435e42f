package dev.flightcache.server.flight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.flight.impl.Flight;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PutMessageTest {
  private static final Flight.FlightDescriptor PATH =
      Flight.FlightDescriptor.newBuilder().setType(Flight.FlightDescriptor.DescriptorType.PATH).addPath("app/s/x").build();

  private final BufferAllocator allocator = new RootAllocator();

  @AfterEach
  void close() {
    allocator.close(); // fails on a leak
  }

  @Test
  void read_wellFormed_descriptorHeaderAndBodyAsSent() throws IOException {
    byte[] bytes = Flight.FlightData.newBuilder()
        .setFlightDescriptor(PATH)
        .setDataHeader(ByteString.copyFromUtf8("header"))
        .setAppMetadata(ByteString.copyFromUtf8("ignored"))
        .setDataBody(ByteString.copyFrom(new byte[] {1, 2, 3}))
        .build()
        .toByteArray();
    List<Flight.FlightDescriptor> seen = new ArrayList<>();
    try (PutMessage message = PutMessage.read(new ByteArrayInputStream(bytes), allocator, seen::add)) {
      assertThat(seen).containsExactly(PATH);
      assertThat(message.descriptor).isEqualTo(PATH);
      assertThat(new String(message.header, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("header");
      assertThat(message.bodyBytes()).isEqualTo(3);
      assertThat(message.body.getByte(2)).isEqualTo((byte) 3);
    }
  }

  @Test
  void read_bodyClaimingMoreThanTheMessageHas_refusedWithoutAllocating() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CodedOutputStream coded = CodedOutputStream.newInstance(out);
    coded.writeTag(1000, 2);
    coded.writeUInt32NoTag(Integer.MAX_VALUE); // claims 2 GiB
    coded.writeRawBytes(new byte[16]); // has 16 bytes
    coded.flush();

    assertThatThrownBy(() -> PutMessage.read(new ByteArrayInputStream(out.toByteArray()), allocator, d -> {}))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("claims 2147483647 bytes, the message has 16 left");
    assertThat(allocator.getPeakMemoryAllocation()).isZero();
  }

  @Test
  void read_lengthOverflowingToNegative_refused() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CodedOutputStream coded = CodedOutputStream.newInstance(out);
    coded.writeTag(2, 2);
    coded.writeUInt64NoTag(-1L); // 2^64 - 1
    coded.flush();

    assertThatThrownBy(() -> PutMessage.read(new ByteArrayInputStream(out.toByteArray()), allocator, d -> {}))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("Failed to decode FlightData");
  }

  @Test
  void read_descriptorRefused_bodyNeverAllocated() {
    byte[] bytes = Flight.FlightData.newBuilder()
        .setFlightDescriptor(PATH)
        .setDataBody(ByteString.copyFrom(new byte[1 << 20]))
        .build()
        .toByteArray();

    assertThatThrownBy(() -> PutMessage.read(new ByteArrayInputStream(bytes), allocator, d -> {
          throw new InvalidRequestException("not yours");
        }))
        .hasMessage("not yours");
    assertThat(allocator.getPeakMemoryAllocation()).isZero();
  }

  @Test
  void read_fieldAfterTheBodyCut_refusedAndBodyFreed() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CodedOutputStream coded = CodedOutputStream.newInstance(out);
    coded.writeTag(1000, 2);
    coded.writeUInt32NoTag(64);
    coded.writeRawBytes(new byte[64]);
    coded.writeTag(3, 2);
    coded.writeUInt32NoTag(10); // claims 10, has 5
    coded.writeRawBytes(new byte[5]);
    coded.flush();

    assertThatThrownBy(() -> PutMessage.read(new ByteArrayInputStream(out.toByteArray()), allocator, d -> {}))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("claims 10 bytes");
    assertThat(allocator.getPeakMemoryAllocation()).as("the body was read").isPositive();
    assertThat(allocator.getAllocatedMemory()).as("and freed").isZero();
  }
}
