package dev.flightcache.proto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class FlightDataFieldsTest {
  private static FlightDataFields fields(int... bytes) {
    byte[] message = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      message[i] = (byte) bytes[i];
    }
    return new FlightDataFields(new ByteArrayInputStream(message), IllegalArgumentException::new);
  }

  @Test
  void next_scalarFieldsBetween_skippedAndLengthsRead() throws IOException {
    // field 5 varint 300, field 6 fixed64, field 7 fixed32, field 2 (header) of 3 bytes, field 1000 (body) of 2 bytes
    FlightDataFields fields = fields(
        0x28, 0xAC, 0x02,
        0x31, 1, 2, 3, 4, 5, 6, 7, 8,
        0x3D, 1, 2, 3, 4,
        0x12, 3, 9, 9, 9,
        0xC2, 0x3E, 2, 7, 7);
    assertThat(fields.next()).isEqualTo(FlightDataFields.HEADER);
    assertThat(fields.lengthBytes()).isEqualTo(3);
  }

  @Test
  void next_bodyFieldNumber1000_decodedFromTwoByteTag() throws IOException {
    FlightDataFields fields = fields(0xC2, 0x3E, 0);
    assertThat(fields.next()).isEqualTo(FlightDataFields.BODY);
    assertThat(fields.lengthBytes()).isZero();
    assertThat(fields.next()).isEqualTo(-1);
  }

  @Test
  void next_emptyMessage_end() throws IOException {
    assertThat(fields().next()).isEqualTo(-1);
  }

  @Test
  void lengthBytes_pastTwoToThe63_negative() throws IOException {
    FlightDataFields fields = fields(0x12, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01);
    assertThat(fields.next()).isEqualTo(FlightDataFields.HEADER);
    assertThat(fields.lengthBytes()).isNegative();
  }

  @Test
  void next_malformed_callersException() {
    assertThatThrownBy(() -> fields(0x12).next()).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a message ended inside a varint");
    assertThatThrownBy(() -> fields(0x12, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01).next())
        .isInstanceOf(IllegalArgumentException.class).hasMessage("a varint of more than ten bytes");
    assertThatThrownBy(() -> fields(0x0B).next()).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a field of wire type 3");
    assertThatThrownBy(() -> fields(0x31, 1, 2).next()).isInstanceOf(EOFException.class);
  }
}
