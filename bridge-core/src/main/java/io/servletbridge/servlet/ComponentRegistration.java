package io.servletbridge.servlet;

import jakarta.servlet.Registration;
import jakarta.servlet.ServletContext;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** What servlet and filter registrations share: a name, a class, and init parameters fixed at initialization. */
abstract class ComponentRegistration implements Registration.Dynamic {
    final BridgeServletContext context;
    final String name;
    private final Map<String, String> initParameters = new LinkedHashMap<>();

    ComponentRegistration(BridgeServletContext context, String name) {
        this.context = context;
        this.name = name;
    }

    /** The component's class name, for {@link #getClassName()}. */
    abstract String componentClassName();

    public ServletContext getServletContext() {
        return context;
    }

    public String getInitParameter(String n) {
        return initParameters.get(n);
    }

    public Enumeration<String> getInitParameterNames() {
        return Collections.enumeration(initParameters.keySet());
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public String getClassName() {
        return componentClassName();
    }

    @Override
    public boolean setInitParameter(String n, String value) {
        if (n == null || value == null) {
            throw new IllegalArgumentException("Init parameter name and value must not be null");
        }
        context.checkNotInitialized();
        return initParameters.putIfAbsent(n, value) == null;
    }

    @Override
    public Set<String> setInitParameters(Map<String, String> params) {
        Set<String> conflicts = new LinkedHashSet<>();
        for (Map.Entry<String, String> e : params.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new IllegalArgumentException("Init parameter name and value must not be null");
            }
            if (initParameters.containsKey(e.getKey())) {
                conflicts.add(e.getKey());
            }
        }
        if (conflicts.isEmpty()) {
            context.checkNotInitialized();
            initParameters.putAll(params);
        }
        return conflicts;
    }

    @Override
    public Map<String, String> getInitParameters() {
        return Collections.unmodifiableMap(initParameters);
    }
}
