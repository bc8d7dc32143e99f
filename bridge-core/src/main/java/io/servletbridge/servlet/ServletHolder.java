package io.servletbridge.servlet;

import jakarta.servlet.MultipartConfigElement;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.ServletSecurityElement;
import jakarta.servlet.UnavailableException;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/** One declared servlet: its registration, its config, and the instance once initialized. */
final class ServletHolder extends ComponentRegistration implements ServletRegistration.Dynamic, ServletConfig {
    private final Class<? extends Servlet> servletClass;
    private final int order;
    private final Set<String> mappings = new LinkedHashSet<>();
    private final ReentrantLock initLock = new ReentrantLock();
    private Servlet instance;
    private volatile boolean initialized;
    /** 0 while available; a deadline (epoch ms) while temporarily unavailable; Long.MAX_VALUE once removed. */
    private volatile long unavailableUntil;
    private int loadOnStartup = -1;
    private boolean asyncSupported;
    private MultipartConfigElement multipartConfig;
    private String runAsRole;

    ServletHolder(BridgeServletContext context, String name, Class<? extends Servlet> servletClass, Servlet instance,
                  int order) {
        super(context, name);
        this.servletClass = servletClass;
        this.instance = instance;
        this.order = order;
    }

    int order() {
        return order;
    }

    int loadOnStartupValue() {
        return loadOnStartup;
    }

    boolean asyncSupported() {
        return asyncSupported;
    }

    MultipartConfigElement multipartConfig() {
        return multipartConfig;
    }

    /**
     * The initialized servlet. The first caller initializes it; concurrent first requests wait for that one
     * {@code init}. A failed init is not remembered, so a later request tries again (as Tomcat does).
     */
    Servlet servlet() throws ServletException {
        if (initialized) {
            return instance;
        }
        initLock.lock();
        try {
            if (!initialized) {
                Servlet s = instance != null ? instance : context.instantiate(servletClass);
                s.init(this);
                instance = s;
                initialized = true;
            }
            return instance;
        } finally {
            initLock.unlock();
        }
    }

    /**
     * Refuses the request when the servlet is out of service (spec 2.3.3.2): permanently (answered 404) or for a
     * while (answered 503 with the seconds left).
     */
    void checkAvailable() throws UnavailableException {
        long until = unavailableUntil;
        if (until == 0) {
            return;
        }
        if (until == Long.MAX_VALUE) {
            throw new UnavailableException("Servlet '" + name + "' is out of service");
        }
        long left = until - System.currentTimeMillis();
        if (left > 0) {
            throw new UnavailableException("Servlet '" + name + "' is unavailable", (int) ((left + 999) / 1000));
        }
        unavailableUntil = 0;
    }

    /** The servlet said it is unavailable: take it out of service for good, or for the time it gave. */
    void markUnavailable(UnavailableException e) {
        if (e.isPermanent()) {
            unavailableUntil = Long.MAX_VALUE;
            destroy();
        } else {
            int seconds = Math.max(1, e.getUnavailableSeconds());
            unavailableUntil = System.currentTimeMillis() + seconds * 1000L;
        }
    }

    void destroy() {
        initLock.lock();
        try {
            if (initialized) {
                initialized = false;
                try {
                    instance.destroy();
                } catch (RuntimeException | Error e) {
                    context.logger().warn("Servlet '{}' failed in destroy()", name, e);
                }
            }
        } finally {
            initLock.unlock();
        }
    }

    // ServletConfig

    @Override
    public String getServletName() {
        return name;
    }

    @Override
    String componentClassName() {
        return servletClass != null ? servletClass.getName() : instance.getClass().getName();
    }

    @Override
    public Set<String> addMapping(String... urlPatterns) {
        if (urlPatterns == null || urlPatterns.length == 0) {
            throw new IllegalArgumentException("No URL pattern given");
        }
        context.checkNotInitialized();
        Set<String> conflicts = context.mappingConflicts(this, urlPatterns);
        if (conflicts.isEmpty()) {
            for (String p : urlPatterns) {
                ServletMapper.checkPattern(p);
                mappings.add(p);
            }
        }
        return conflicts;
    }

    @Override
    public Collection<String> getMappings() {
        return Collections.unmodifiableSet(mappings);
    }

    @Override
    public String getRunAsRole() {
        return runAsRole;
    }

    @Override
    public void setLoadOnStartup(int loadOnStartup) {
        context.checkNotInitialized();
        this.loadOnStartup = loadOnStartup;
    }

    @Override
    public Set<String> setServletSecurity(ServletSecurityElement constraint) {
        if (constraint == null) {
            throw new IllegalArgumentException("constraint is null");
        }
        context.checkNotInitialized();
        // Declarative security arrives with WAR deployment; until then nothing would enforce it, so refuse
        // loudly rather than pretend the constraint is in force.
        throw new UnsupportedOperationException("Servlet security constraints are not supported yet");
    }

    @Override
    public void setMultipartConfig(MultipartConfigElement config) {
        context.checkNotInitialized();
        this.multipartConfig = config;
    }

    @Override
    public void setRunAsRole(String role) {
        context.checkNotInitialized();
        this.runAsRole = role;
    }

    @Override
    public void setAsyncSupported(boolean supported) {
        context.checkNotInitialized();
        this.asyncSupported = supported;
    }

    @Override
    public String toString() {
        return "servlet '" + name + "' (" + getClassName() + ")";
    }
}
