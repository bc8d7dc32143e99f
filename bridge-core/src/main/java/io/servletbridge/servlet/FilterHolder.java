package io.servletbridge.servlet;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;

/** One declared filter: its registration, its config, and the instance once initialized. */
final class FilterHolder extends ComponentRegistration implements FilterRegistration.Dynamic, FilterConfig {
    private final Class<? extends Filter> filterClass;
    private Filter instance;
    private boolean initialized;
    private boolean asyncSupported;

    FilterHolder(BridgeServletContext context, String name, Class<? extends Filter> filterClass, Filter instance) {
        super(context, name);
        this.filterClass = filterClass;
        this.instance = instance;
    }

    /** Called once while the context starts, before any request. */
    void init() throws ServletException {
        Filter f = instance != null ? instance : context.instantiate(filterClass);
        f.init(this);
        instance = f;
        initialized = true;
    }

    Filter filter() {
        return instance;
    }

    boolean asyncSupported() {
        return asyncSupported;
    }

    void destroy() {
        if (initialized) {
            initialized = false;
            try {
                instance.destroy();
            } catch (RuntimeException | Error e) {
                context.logger().warn("Filter '{}' failed in destroy()", name, e);
            }
        }
    }

    @Override
    public String getFilterName() {
        return name;
    }

    @Override
    String componentClassName() {
        return filterClass != null ? filterClass.getName() : instance.getClass().getName();
    }

    @Override
    public void addMappingForServletNames(EnumSet<DispatcherType> types, boolean isMatchAfter, String... names) {
        if (names == null || names.length == 0) {
            throw new IllegalArgumentException("No servlet name given");
        }
        context.checkNotInitialized();
        for (String n : names) {
            context.addFilterMapping(new FilterMapping(this, null, n, dispatchTypes(types)), isMatchAfter);
        }
    }

    @Override
    public Collection<String> getServletNameMappings() {
        List<String> out = new ArrayList<>();
        for (FilterMapping m : context.filterMappings()) {
            if (m.holder() == this && m.servletName() != null) {
                out.add(m.servletName());
            }
        }
        return out;
    }

    @Override
    public void addMappingForUrlPatterns(EnumSet<DispatcherType> types, boolean isMatchAfter, String... patterns) {
        if (patterns == null || patterns.length == 0) {
            throw new IllegalArgumentException("No URL pattern given");
        }
        context.checkNotInitialized();
        for (String p : patterns) {
            ServletMapper.checkPattern(p);
            context.addFilterMapping(new FilterMapping(this, p, null, dispatchTypes(types)), isMatchAfter);
        }
    }

    @Override
    public Collection<String> getUrlPatternMappings() {
        List<String> out = new ArrayList<>();
        for (FilterMapping m : context.filterMappings()) {
            if (m.holder() == this && m.urlPattern() != null) {
                out.add(m.urlPattern());
            }
        }
        return out;
    }

    @Override
    public void setAsyncSupported(boolean supported) {
        context.checkNotInitialized();
        this.asyncSupported = supported;
    }

    private static EnumSet<DispatcherType> dispatchTypes(EnumSet<DispatcherType> types) {
        return types == null || types.isEmpty() ? EnumSet.of(DispatcherType.REQUEST) : EnumSet.copyOf(types);
    }
}
