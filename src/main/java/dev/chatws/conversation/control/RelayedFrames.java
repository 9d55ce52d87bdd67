package dev.chatws.conversation.control;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.function.ObjIntConsumer;

/**
 * The frames a turn relayed so far, kept for the sockets that attach mid-turn (PROTOCOL §5) and
 * for the watchers on other servers: their texts, exactly, in 16 KiB blocks shared through a
 * pool by every turn of the server.
 *
 * <p>Why not a list of the strings: a turn lives a second or more, longer than the heap's young
 * collections are apart, so its relayed strings were copied by one young collection, promoted,
 * and died in the old generation; at 512 streams that made a tenth of the tail of the gaps and
 * 50–100 MB of the peak of the heap (docs/benchmarks.md). A pooled block is promoted once and
 * then reused: writing a frame into it leaves nothing for a collection to copy or reclaim.
 *
 * <p>Each frame is a 4-byte header and its characters: one byte each when all of them are
 * ISO-8859-1 (the header then holds {@code length + 1}), else two (the header holds
 * {@code -(length + 1)}), so every string, lone surrogates included, comes back as it went in.
 * A frame never spans blocks; one larger than a block gets a block of its own, not pooled. A
 * header of 0 ends a block early.
 *
 * <p>Not thread-safe: guarded by its turn's conversation lock (the pool is thread-safe). Once
 * {@link #release released}, its blocks belong to other turns and it must not be used again.
 */
final class RelayedFrames {

    static final int BLOCK = 16 * 1024;
    /** Free blocks kept for the next turns: at most 16 MiB; beyond, a released block is left to the collector. */
    private static final ArrayBlockingQueue<byte[]> POOL = new ArrayBlockingQueue<>(1024);
    private static final int HEADER = 4;

    private byte[][] blocks = new byte[2][];
    private int blockCount;
    /** Where the next frame goes in the last block. */
    private int position;
    private int size;
    private boolean released;

    /** Keeps {@code text} as the next frame. */
    void add(String text) {
        usable();
        int length = text.length();
        boolean latin1 = latin1(text);
        int bytes = HEADER + (latin1 ? length : 2 * length);
        byte[] block = room(bytes);
        int at = position;
        writeInt(block, at, latin1 ? length + 1 : -(length + 1));
        at += HEADER;
        if (latin1) {
            for (int i = 0; i < length; i++) {
                block[at + i] = (byte) text.charAt(i);
            }
        } else {
            for (int i = 0; i < length; i++) {
                char c = text.charAt(i);
                block[at + 2 * i] = (byte) (c >> 8);
                block[at + 2 * i + 1] = (byte) c;
            }
        }
        position += bytes;
        size++;
    }

    /** How many frames it holds. */
    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Hands {@code each} the frames from place {@code from} (0: the first) on, in order, with their places. */
    void from(int from, ObjIntConsumer<String> each) {
        usable();
        int seq = 0;
        for (int b = 0; b < blockCount && seq < size; b++) {
            byte[] block = blocks[b];
            int at = 0;
            while (seq < size && at + HEADER <= block.length) {
                int header = readInt(block, at);
                if (header == 0) {
                    break;
                }
                int length = Math.abs(header) - 1;
                at += HEADER;
                if (seq >= from) {
                    each.accept(header > 0 ? new String(block, at, length, StandardCharsets.ISO_8859_1) : utf16(block, at, length), seq);
                }
                at += header > 0 ? length : 2 * length;
                seq++;
            }
        }
    }

    /** Gives its blocks back to the pool: the turn ended and nothing reads its frames any more. */
    void release() {
        if (released) {
            return;
        }
        released = true;
        for (int b = 0; b < blockCount; b++) {
            if (blocks[b].length == BLOCK) {
                POOL.offer(blocks[b]);
            }
            blocks[b] = null;
        }
        blockCount = 0;
        size = 0;
    }

    /** The block where {@code bytes} more go, at {@link #position}: the last one, or a new one. */
    private byte[] room(int bytes) {
        if (blockCount > 0 && position + bytes <= blocks[blockCount - 1].length) {
            return blocks[blockCount - 1];
        }
        if (blockCount > 0 && position + HEADER <= blocks[blockCount - 1].length) {
            writeInt(blocks[blockCount - 1], position, 0);
        }
        byte[] next = bytes <= BLOCK ? take() : new byte[bytes];
        if (blockCount == blocks.length) {
            blocks = Arrays.copyOf(blocks, blockCount * 2);
        }
        blocks[blockCount++] = next;
        position = 0;
        return next;
    }

    private static byte[] take() {
        byte[] block = POOL.poll();
        return block != null ? block : new byte[BLOCK];
    }

    private void usable() {
        if (released) {
            throw new IllegalStateException("The frames of this turn were released");
        }
    }

    private static boolean latin1(String text) {
        for (int i = 0, n = text.length(); i < n; i++) {
            if (text.charAt(i) > 0xFF) {
                return false;
            }
        }
        return true;
    }

    private static String utf16(byte[] block, int at, int length) {
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = (char) (((block[at + 2 * i] & 0xFF) << 8) | (block[at + 2 * i + 1] & 0xFF));
        }
        return new String(chars);
    }

    private static void writeInt(byte[] block, int at, int value) {
        block[at] = (byte) (value >>> 24);
        block[at + 1] = (byte) (value >>> 16);
        block[at + 2] = (byte) (value >>> 8);
        block[at + 3] = (byte) value;
    }

    private static int readInt(byte[] block, int at) {
        return (block[at] << 24) | ((block[at + 1] & 0xFF) << 16) | ((block[at + 2] & 0xFF) << 8) | (block[at + 3] & 0xFF);
    }
}
