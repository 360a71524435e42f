package dev.flightcache.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A TCP relay on 127.0.0.1 in front of a server port, that a test can freeze to play a client
 * whose host vanished: once frozen, no byte passes in either direction, and neither socket is
 * closed, so the server sees no FIN, no RST and no answer to anything it sends. Until then it
 * forwards both ways, and passes a half-close on. {@link #close()} closes every socket.
 */
final class FreezableProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final int targetPort;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final CountDownLatch closed = new CountDownLatch(1);
  private volatile boolean frozen;

  private FreezableProxy(ServerSocket listener, int targetPort) {
    this.listener = listener;
    this.targetPort = targetPort;
  }

  /** Listens on a free loopback port and relays each connection to {@code targetPort} on loopback. */
  static FreezableProxy start(int targetPort) throws IOException {
    FreezableProxy proxy = new FreezableProxy(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), targetPort);
    daemon("proxy-accept", proxy::accept);
    return proxy;
  }

  int port() {
    return listener.getLocalPort();
  }

  /** From now on nothing passes, and nothing is closed, until {@link #close()}. */
  void freeze() {
    frozen = true;
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        sockets.add(client);
        Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        sockets.add(server);
        daemon("proxy-to-server", () -> relay(client, server));
        daemon("proxy-to-client", () -> relay(server, client));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  /** Copies {@code from} to {@code to}; once frozen, holds what it read and waits for close. */
  private void relay(Socket from, Socket to) {
    byte[] buffer = new byte[64 * 1024];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      for (int read; (read = in.read(buffer)) >= 0; ) {
        if (frozen) {
          closed.await();
          return;
        }
        out.write(buffer, 0, read);
        out.flush();
      }
      if (!frozen) {
        to.shutdownOutput();
      }
    } catch (IOException e) {
      // A socket was closed: by close(), or by the other side before the freeze.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() throws IOException {
    closed.countDown();
    listener.close();
    for (Socket socket : sockets) {
      socket.close();
    }
  }

  private static void daemon(String name, Runnable task) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    thread.start();
  }
}
