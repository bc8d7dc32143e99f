package io.servletbridge.servlet;

import jakarta.servlet.DispatcherType;
import java.util.EnumSet;

/** A filter applied to requests matching a URL pattern or going to a named servlet, for some dispatch types. */
record FilterMapping(FilterHolder holder, String urlPattern, String servletName, EnumSet<DispatcherType> types) {

    boolean appliesTo(DispatcherType type, String pathInContext, String servlet) {
        if (!types.contains(type)) {
            return false;
        }
        if (servletName != null) {
            return servletName.equals("*") || servletName.equals(servlet);
        }
        return ServletMapper.patternMatches(urlPattern, pathInContext);
    }
}
