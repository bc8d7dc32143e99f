package io.servletbridge.servlet;

import io.servletbridge.ContextConfigurer;
import io.servletbridge.offload.WorkerPool;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything a {@link ServletContainer} is built from. Internal: users reach these settings through
 * {@link io.servletbridge.ServletBridge.Builder}.
 *
 * @param contextPath        {@code ""} or {@code /name}
 * @param displayName        the servlet context name
 * @param classLoader        the context class loader application code runs with
 * @param workers            where requests run
 * @param responseBufferSize default response buffer in bytes
 * @param maxFormContentSize largest form body parsed into parameters
 * @param maxParameterCount  most parameters per request
 * @param initParameters     context init parameters
 * @param configurers        programmatic set-up run while the context initializes, in order
 * @param bodyReadTimeout    longest a request body reader waits without a byte before its read fails; null or
 *                           zero waits forever
 * @param requestTimeout     longest a dispatch may run before the container answers for it, or null for no limit
 */
public record ContainerConfig(String contextPath, String displayName, ClassLoader classLoader, WorkerPool workers,
                              int responseBufferSize, int maxFormContentSize, int maxParameterCount,
                              Map<String, String> initParameters, List<ContextConfigurer> configurers,
                              Duration bodyReadTimeout, Duration requestTimeout) {

    /** With the loop's default body read timeout and no request timeout. */
    public ContainerConfig(String contextPath, String displayName, ClassLoader classLoader, WorkerPool workers,
                           int responseBufferSize, int maxFormContentSize, int maxParameterCount,
                           Map<String, String> initParameters, List<ContextConfigurer> configurers) {
        this(contextPath, displayName, classLoader, workers, responseBufferSize, maxFormContentSize,
                maxParameterCount, initParameters, configurers, io.servletbridge.spi.LoopConfig.DEFAULT_BODY_READ_TIMEOUT,
                null);
    }

    public ContainerConfig {
        if (!contextPath.isEmpty() && (!contextPath.startsWith("/") || contextPath.endsWith("/"))) {
            throw new IllegalArgumentException("Context path must be \"\" or start with '/' and not end with '/': "
                    + contextPath);
        }
        initParameters = Map.copyOf(initParameters);
        if (requestTimeout != null && (requestTimeout.isZero() || requestTimeout.isNegative())) {
            requestTimeout = null;
        }
    }
}
