package io.servletbridge.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.servletbridge.spi.HttpFields;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link ResponseEncoder#head} for a typical servlet response: six fields, a Content-Length, keep-alive. Each
 * operation encodes into a fresh direct buffer and releases it, as the write path does once the bytes are sent.
 *
 * <p>It lives in the encoder's package because the encoder is package-private. JMH's threads are not Netty's
 * {@code FastThreadLocalThread}s, so the encoder's per-thread scratch array is found through Netty's slower fallback
 * map here than on a loop thread; the difference is a few nanoseconds.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ResponseEncoderBenchmark {

    /** {@code pooled} (what the Netty loop uses) or {@code unpooled}. */
    @Param({"pooled", "unpooled"})
    public String allocator;

    private ByteBufAllocator alloc;
    private HttpFields fields;

    @Setup
    public void setUp() {
        alloc = allocator.equals("pooled") ? PooledByteBufAllocator.DEFAULT : UnpooledByteBufAllocator.DEFAULT;
        fields = new HttpFields()
                .add("Content-Type", "text/html;charset=UTF-8")
                .add("Content-Language", "en-US")
                .add("Date", "Sat, 21 Nov 2026 15:59:10 GMT")
                .add("Cache-Control", "no-cache, no-store, must-revalidate")
                .add("Set-Cookie", "session=8f2c41d9a7e34b0c; Path=/; HttpOnly; SameSite=Lax")
                .add("Vary", "Accept-Encoding");
        int n = head();
        if (n < 200) {
            throw new IllegalStateException("head of only " + n + " bytes");
        }
    }

    /** Encodes the head and returns its length. */
    @Benchmark
    public int head() {
        ByteBuf out = ResponseEncoder.head(alloc, 200, null, fields, 5120, false, null, 0);
        try {
            return out.readableBytes();
        } finally {
            out.release();
        }
    }
}
