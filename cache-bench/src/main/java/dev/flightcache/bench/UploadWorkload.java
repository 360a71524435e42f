package dev.flightcache.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/** upload: streams one file of --size bytes, written once to --temp-dir, to the caller's key. */
final class UploadWorkload implements Workload {
  private final Fixture fixture;
  private final Path file;

  UploadWorkload(Fixture fixture) {
    this.fixture = fixture;
    this.file = fixture.tempFile("upload.bin");
  }

  @Override
  public void prepare() throws Exception {
    fixture.payload().writeTo(file);
  }

  @Override
  public long operate(int caller) {
    fixture.clients().of(caller).upload(fixture.key(fixture.objectOf(caller)), file);
    return fixture.payload().sizeBytes();
  }

  @Override
  public void close() throws Exception {
    Files.deleteIfExists(file);
  }
}
