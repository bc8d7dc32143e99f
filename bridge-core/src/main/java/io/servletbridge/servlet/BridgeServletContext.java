package io.servletbridge.servlet;

import io.servletbridge.http.MimeTypes;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextAttributeEvent;
import jakarta.servlet.ServletContextAttributeListener;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.ServletRequestAttributeListener;
import jakarta.servlet.ServletRequestListener;
import jakarta.servlet.SessionCookieConfig;
import jakarta.servlet.SessionTrackingMode;
import jakarta.servlet.descriptor.JspConfigDescriptor;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.EventListener;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one servlet context a bridge serves: registrations, attributes, listeners and init parameters. */
final class BridgeServletContext implements ServletContext {
    private final ContainerConfig config;
    private final Logger log;
    private final MimeTypes mimeTypes = new MimeTypes();
    private final Map<String, String> initParameters = new ConcurrentHashMap<>();
    private final Map<String, Object> attributes = new ConcurrentHashMap<>();
    private final Map<String, ServletHolder> servlets = new LinkedHashMap<>();
    private final Map<String, FilterHolder> filters = new LinkedHashMap<>();
    private final List<FilterMapping> filtersBefore = new ArrayList<>();
    private final List<FilterMapping> filtersAfter = new ArrayList<>();
    final List<ServletContextListener> contextListeners = new CopyOnWriteArrayList<>();
    final List<ServletContextAttributeListener> contextAttributeListeners = new CopyOnWriteArrayList<>();
    final List<ServletRequestListener> requestListeners = new CopyOnWriteArrayList<>();
    final List<ServletRequestAttributeListener> requestAttributeListeners = new CopyOnWriteArrayList<>();
    private volatile boolean initialized;
    private String requestCharacterEncoding;
    private String responseCharacterEncoding;
    private int sessionTimeout = 30;

    BridgeServletContext(ContainerConfig config) {
        this.config = config;
        this.log = LoggerFactory.getLogger("servlet-bridge.context" + (config.contextPath().isEmpty() ? ".ROOT"
                : config.contextPath().replace('/', '.')));
        initParameters.putAll(config.initParameters());
    }

    Logger logger() {
        return log;
    }

    ContainerConfig config() {
        return config;
    }

    void markInitialized() {
        initialized = true;
    }

    void checkNotInitialized() {
        if (initialized) {
            throw new IllegalStateException("The servlet context has already been initialized");
        }
    }

    Map<String, ServletHolder> servletHolders() {
        return servlets;
    }

    Map<String, FilterHolder> filterHolders() {
        return filters;
    }

    List<FilterMapping> filterMappings() {
        List<FilterMapping> all = new ArrayList<>(filtersBefore.size() + filtersAfter.size());
        all.addAll(filtersBefore);
        all.addAll(filtersAfter);
        return all;
    }

    void addFilterMapping(FilterMapping m, boolean isMatchAfter) {
        (isMatchAfter ? filtersAfter : filtersBefore).add(m);
    }

    Set<String> mappingConflicts(ServletHolder owner, String[] patterns) {
        Set<String> conflicts = new java.util.LinkedHashSet<>();
        for (String p : patterns) {
            for (ServletHolder other : servlets.values()) {
                if (other != owner && other.getMappings().contains(p)) {
                    conflicts.add(p);
                }
            }
        }
        return conflicts;
    }

    <T> T instantiate(Class<T> type) throws ServletException {
        try {
            return type.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ServletException("Cannot instantiate " + type.getName() + ": " + e, e);
        }
    }

    // Paths and versions

    @Override
    public String getContextPath() {
        return config.contextPath();
    }

    @Override
    public ServletContext getContext(String uripath) {
        return uripath != null && uripath.startsWith(config.contextPath()) ? this : null;
    }

    @Override
    public int getMajorVersion() {
        return 6;
    }

    @Override
    public int getMinorVersion() {
        return 1;
    }

    @Override
    public int getEffectiveMajorVersion() {
        return 6;
    }

    @Override
    public int getEffectiveMinorVersion() {
        return 1;
    }

    @Override
    public String getMimeType(String file) {
        return mimeTypes.forFile(file);
    }

    // Resources: static content and WAR deployment give these a document base; until then there is none.

    @Override
    public Set<String> getResourcePaths(String path) {
        return null;
    }

    @Override
    public URL getResource(String path) {
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("Resource path must start with '/': " + path);
        }
        return null;
    }

    @Override
    public InputStream getResourceAsStream(String path) {
        return null;
    }

    @Override
    public RequestDispatcher getRequestDispatcher(String path) {
        return null;
    }

    @Override
    public RequestDispatcher getNamedDispatcher(String name) {
        return null;
    }

    @Override
    public String getRealPath(String path) {
        return null;
    }

    @Override
    public void log(String msg) {
        log.info(msg);
    }

    @Override
    public void log(String message, Throwable throwable) {
        log.error(message, throwable);
    }

    @Override
    public String getServerInfo() {
        return "servlet-bridge/0.1";
    }

    // Init parameters and attributes

    @Override
    public String getInitParameter(String name) {
        if (name == null) {
            throw new NullPointerException("name");
        }
        return initParameters.get(name);
    }

    @Override
    public Enumeration<String> getInitParameterNames() {
        return Collections.enumeration(new ArrayList<>(initParameters.keySet()));
    }

    @Override
    public boolean setInitParameter(String name, String value) {
        if (name == null) {
            throw new NullPointerException("name");
        }
        checkNotInitialized();
        return initParameters.putIfAbsent(name, value) == null;
    }

    @Override
    public Object getAttribute(String name) {
        if (name == null) {
            throw new NullPointerException("name");
        }
        return attributes.get(name);
    }

    @Override
    public Enumeration<String> getAttributeNames() {
        return Collections.enumeration(new ArrayList<>(attributes.keySet()));
    }

    @Override
    public void setAttribute(String name, Object value) {
        if (name == null) {
            throw new NullPointerException("name");
        }
        if (value == null) {
            removeAttribute(name);
            return;
        }
        Object old = attributes.put(name, value);
        for (ServletContextAttributeListener l : contextAttributeListeners) {
            if (old == null) {
                l.attributeAdded(new ServletContextAttributeEvent(this, name, value));
            } else {
                l.attributeReplaced(new ServletContextAttributeEvent(this, name, old));
            }
        }
    }

    @Override
    public void removeAttribute(String name) {
        Object old = attributes.remove(name);
        if (old != null) {
            for (ServletContextAttributeListener l : contextAttributeListeners) {
                l.attributeRemoved(new ServletContextAttributeEvent(this, name, old));
            }
        }
    }

    @Override
    public String getServletContextName() {
        return config.displayName();
    }

    // Programmatic registration

    @Override
    public ServletRegistration.Dynamic addServlet(String name, String className) {
        return addServlet(name, loadClass(className, Servlet.class));
    }

    @Override
    public ServletRegistration.Dynamic addServlet(String name, Servlet servlet) {
        return register(name, null, servlet);
    }

    @Override
    public ServletRegistration.Dynamic addServlet(String name, Class<? extends Servlet> servletClass) {
        return register(name, servletClass, null);
    }

    private ServletRegistration.Dynamic register(String name, Class<? extends Servlet> type, Servlet instance) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("Servlet name must not be empty");
        }
        checkNotInitialized();
        if (servlets.containsKey(name)) {
            return null;
        }
        ServletHolder h = new ServletHolder(this, name, type, instance, servlets.size());
        servlets.put(name, h);
        return h;
    }

    @Override
    public ServletRegistration.Dynamic addJspFile(String servletName, String jspFile) {
        throw new UnsupportedOperationException("JSP is not supported");
    }

    @Override
    public <T extends Servlet> T createServlet(Class<T> type) throws ServletException {
        return instantiate(type);
    }

    @Override
    public ServletRegistration getServletRegistration(String name) {
        return servlets.get(name);
    }

    @Override
    public Map<String, ? extends ServletRegistration> getServletRegistrations() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(servlets));
    }

    @Override
    public FilterRegistration.Dynamic addFilter(String name, String className) {
        return addFilter(name, loadClass(className, Filter.class));
    }

    @Override
    public FilterRegistration.Dynamic addFilter(String name, Filter filter) {
        return registerFilter(name, null, filter);
    }

    @Override
    public FilterRegistration.Dynamic addFilter(String name, Class<? extends Filter> filterClass) {
        return registerFilter(name, filterClass, null);
    }

    private FilterRegistration.Dynamic registerFilter(String name, Class<? extends Filter> type, Filter instance) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("Filter name must not be empty");
        }
        checkNotInitialized();
        if (filters.containsKey(name)) {
            return null;
        }
        FilterHolder h = new FilterHolder(this, name, type, instance);
        filters.put(name, h);
        return h;
    }

    @Override
    public <T extends Filter> T createFilter(Class<T> type) throws ServletException {
        return instantiate(type);
    }

    @Override
    public FilterRegistration getFilterRegistration(String name) {
        return filters.get(name);
    }

    @Override
    public Map<String, ? extends FilterRegistration> getFilterRegistrations() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(filters));
    }

    private <T> Class<? extends T> loadClass(String className, Class<T> kind) {
        try {
            return Class.forName(className, false, config.classLoader()).asSubclass(kind);
        } catch (ClassNotFoundException | ClassCastException e) {
            throw new IllegalArgumentException("Cannot load " + kind.getSimpleName() + " class " + className, e);
        }
    }

    // Listeners

    @Override
    public void addListener(String className) {
        addListener(loadClass(className, EventListener.class));
    }

    @Override
    public <T extends EventListener> void addListener(T listener) {
        checkNotInitialized();
        boolean known = false;
        if (listener instanceof ServletContextListener l) {
            contextListeners.add(l);
            known = true;
        }
        if (listener instanceof ServletContextAttributeListener l) {
            contextAttributeListeners.add(l);
            known = true;
        }
        if (listener instanceof ServletRequestListener l) {
            requestListeners.add(l);
            known = true;
        }
        if (listener instanceof ServletRequestAttributeListener l) {
            requestAttributeListeners.add(l);
            known = true;
        }
        if (!known) {
            throw new IllegalArgumentException("Unsupported listener type: " + listener.getClass().getName());
        }
    }

    @Override
    public void addListener(Class<? extends EventListener> listenerClass) {
        try {
            addListener(createListener(listenerClass));
        } catch (ServletException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    @Override
    public <T extends EventListener> T createListener(Class<T> type) throws ServletException {
        return instantiate(type);
    }

    // Sessions arrive with the full container; until then the session settings are refused, not faked.

    @Override
    public SessionCookieConfig getSessionCookieConfig() {
        throw new UnsupportedOperationException("HTTP sessions are not supported yet");
    }

    @Override
    public void setSessionTrackingModes(Set<SessionTrackingMode> modes) {
        throw new UnsupportedOperationException("HTTP sessions are not supported yet");
    }

    @Override
    public Set<SessionTrackingMode> getDefaultSessionTrackingModes() {
        return Collections.emptySet();
    }

    @Override
    public Set<SessionTrackingMode> getEffectiveSessionTrackingModes() {
        return Collections.emptySet();
    }

    @Override
    public int getSessionTimeout() {
        return sessionTimeout;
    }

    @Override
    public void setSessionTimeout(int minutes) {
        checkNotInitialized();
        this.sessionTimeout = minutes;
    }

    @Override
    public JspConfigDescriptor getJspConfigDescriptor() {
        return null;
    }

    @Override
    public ClassLoader getClassLoader() {
        return config.classLoader();
    }

    @Override
    public void declareRoles(String... roleNames) {
        checkNotInitialized();
    }

    @Override
    public String getVirtualServerName() {
        return "servlet-bridge";
    }

    @Override
    public String getRequestCharacterEncoding() {
        return requestCharacterEncoding;
    }

    @Override
    public void setRequestCharacterEncoding(String encoding) {
        checkNotInitialized();
        this.requestCharacterEncoding = encoding;
    }

    @Override
    public String getResponseCharacterEncoding() {
        return responseCharacterEncoding;
    }

    @Override
    public void setResponseCharacterEncoding(String encoding) {
        checkNotInitialized();
        this.responseCharacterEncoding = encoding;
    }
}
