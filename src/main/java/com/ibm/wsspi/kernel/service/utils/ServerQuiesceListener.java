package com.ibm.wsspi.kernel.service.utils;

/**
 * A compile-time stand-in for Open Liberty's SPI interface of the same name (in
 * {@code wlp/dev/spi/ibm/com.ibm.websphere.appserver.spi.kernel.service_*.jar}, which is not on
 * Maven Central), so that {@code dev.chatws.liberty.QuiesceBell} compiles. It is packaged in
 * nothing: at run time Liberty's own interface is the one implemented.
 */
public interface ServerQuiesceListener {

    /** Called when the server starts to stop, before its HTTP endpoints close their connections. */
    void serverStopping();
}
