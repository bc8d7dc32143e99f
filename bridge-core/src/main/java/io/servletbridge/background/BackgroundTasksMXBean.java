package io.servletbridge.background;

/** The JMX view of a servlet context's background tasks ({@code io.servletbridge:type=BackgroundTasks}). */
public interface BackgroundTasksMXBean {
    long getScheduled();

    long getQueued();

    long getRunning();

    long getCompleted();

    long getFailed();

    long getCancelled();
}
