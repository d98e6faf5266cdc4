#pragma once

#include "postgresfixture.h"
#include "testserver.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QUrl>

#include <memory>
#include <vector>

// A FlashSale cluster for one test: a real PostgreSQL, N `flashsale --headless
// --node-id node-K` child processes on loopback ports sharing it (each with a data folder
// of its own: nothing is copied between them, the signing keys are shared through
// PostgreSQL), and nginx in front of them balancing by
// the shopper's Authorization header, with passive health checks. All stopped and
// removed by the destructor.
class ClusterFixture
{
public:
    // `ini` is each node's configuration file (the [cluster] section is added here).
    ClusterFixture(int nodes, QByteArray ini);
    ~ClusterFixture();

    // Before start(): how often the nodes renew their leases and learn each other's sales
    // (200 ms unless set), and how long a silent node keeps its leases.
    void setHeartbeat(int heartbeatMs, int leaseTtlSeconds)
    {
        m_heartbeatMs = heartbeatMs;
        m_leaseTtlSeconds = leaseTtlSeconds;
    }
    bool start(QString *error);
    // Stops one node cleanly (SIGTERM) and starts it again on the same port, data folder
    // and database: one step of a rolling restart.
    bool restartNode(int index, QString *error);
    int nodeCount() const { return int(m_nodes.size()); }
    ServerProcess &node(int index) { return *m_nodes[size_t(index)]; }
    QString nodeId(int index) const { return QStringLiteral("node-%1").arg(index + 1); }
    quint16 nodePort(int index) const { return m_ports[size_t(index)]; }
    QUrl balancerUrl() const;
    quint16 balancerPort() const { return m_balancerPort; }
    QString databaseUrl() const { return m_postgres.url(); }
    PostgresFixture &postgres() { return m_postgres; }
    // A node configuration for tests: no purchase rate limit, cheap Argon2id, no waiting
    // room, 5 ms simulated payments.
    static QByteArray defaultIni();

private:
    bool startNode(int index, QString *error);
    bool startBalancer(QString *error);

    QTemporaryDir m_dir;
    QByteArray m_ini;
    int m_heartbeatMs = 200;
    int m_leaseTtlSeconds = 3;
    PostgresFixture m_postgres;
    std::vector<std::unique_ptr<ServerProcess>> m_nodes;
    std::vector<quint16> m_ports;
    QProcess m_nginx;
    quint16 m_balancerPort = 0;
};
