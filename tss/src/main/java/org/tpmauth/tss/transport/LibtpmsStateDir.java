package org.tpmauth.tss.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.regex.Pattern;

/**
 * The directory holding libtpms's NVRAM blobs ({@code permall.bin} ...), locked for as long as one
 * process uses it: two TPM engines writing the same state would corrupt it. Blobs are replaced
 * atomically (temporary file, fsync, rename, fsync of the directory), so a crash leaves the old or
 * the new state, never a torn one.
 */
final class LibtpmsStateDir implements AutoCloseable {
    static final String LOCK_FILE = ".lock";
    /** libtpms asks for "permall", "volatilestate", "savestate"; anything else is refused. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final Path dir;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private LibtpmsStateDir(Path dir, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** Creates the directory if missing and locks it, or says which directory is taken. */
    static LibtpmsStateDir lock(Path dir) {
        Path lockFile = dir.resolve(LOCK_FILE);
        FileChannel channel = null;
        try {
            Files.createDirectories(dir);
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // this JVM holds it already
            }
            if (lock == null) {
                throw new TpmTransportException("the libtpms state directory " + dir + " is in use by another "
                        + "process (" + lockFile + " is locked): two TPM engines must never share a state; stop "
                        + "the other one or use another directory");
            }
            return new LibtpmsStateDir(dir, channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new TpmTransportException("cannot use " + dir + " as the libtpms state directory: " + e, e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    Path dir() {
        return dir;
    }

    private Path file(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("unexpected libtpms state name '" + name + "'");
        }
        return dir.resolve(name + ".bin");
    }

    /** The blob stored under {@code name}, or null when there is none. */
    byte[] load(String name) throws IOException {
        try {
            return Files.readAllBytes(file(name));
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Replaces the blob atomically and durably. */
    void store(String name, byte[] data) throws IOException {
        Path target = file(name);
        Path tmp = dir.resolve("." + name + ".tmp");
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(data);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            out.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory();
    }

    /** Deletes the blob; false when there was none. */
    boolean delete(String name) throws IOException {
        boolean existed = Files.deleteIfExists(file(name));
        if (existed) {
            syncDirectory();
        }
        return existed;
    }

    private void syncDirectory() throws IOException {
        // makes the rename itself durable (Linux allows fsync on a directory opened for reading)
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    /** Releases the lock. */
    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel releases it too
        }
        closeQuietly(lockChannel);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing left to release
            }
        }
    }
}
