#include "clusterfixture.h"

#include <QDir>
#include <QFile>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QThread>

ClusterFixture::ClusterFixture(int nodes, QByteArray ini)
    : m_ini(std::move(ini))
{
    for (int i = 0; i < nodes; ++i) {
        m_nodes.push_back(std::make_unique<ServerProcess>());
        m_ports.push_back(0);
    }
}

ClusterFixture::~ClusterFixture()
{
    if (m_nginx.state() != QProcess::NotRunning) {
        m_nginx.terminate();
        if (!m_nginx.waitForFinished(5000))
            m_nginx.kill();
    }
    for (auto &node : m_nodes)
        node->terminate();
    m_postgres.stop();
}

QByteArray ClusterFixture::defaultIni()
{
    return "[purchase]\nrateLimitSeconds=0\n"
           "[auth]\nargon2OpsLimit=1\nargon2MemLimitKiB=8\ntokenRateLimitAttempts=0\nregistrationRateLimitAttempts=0\nhashingQueue=4096\n"
           "[waitingRoom]\nrequired=false\n"
           "[payments]\nsimulatedLatencyMs=5\n";
}

QUrl ClusterFixture::balancerUrl() const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_balancerPort));
}

bool ClusterFixture::start(QString *error)
{
    if (!m_dir.isValid()) {
        *error = QStringLiteral("no temporary folder");
        return false;
    }
    if (!m_postgres.start(error))
        return false;
    // Nothing is copied between the nodes' data folders: each makes its own key files, and
    // they all sign with the keys the first one published in the database (SharedKey).
    for (int i = 0; i < nodeCount(); ++i) {
        if (!startNode(i, error))
            return false;
    }
    return startBalancer(error);
}

bool ClusterFixture::restartNode(int index, QString *error)
{
    node(index).terminate();
    return startNode(index, error);
}

bool ClusterFixture::startNode(int index, QString *error)
{
    if (m_ports[size_t(index)] == 0) // a restart keeps its port, so the balancer still finds it
        m_ports[size_t(index)] = PostgresFixture::freePort();
    const QString ini = m_dir.filePath(QStringLiteral("node-%1.ini").arg(index + 1));
    QFile f(ini);
    if (!f.open(QIODevice::WriteOnly)) {
        *error = f.errorString();
        return false;
    }
    f.write(m_ini);
    f.write(QStringLiteral("\n[cluster]\nadvertiseUrl=http://127.0.0.1:%1\nheartbeatMs=%2\nleaseTtlSeconds=%3\n")
                .arg(nodePort(index))
                .arg(m_heartbeatMs)
                .arg(m_leaseTtlSeconds)
                .toUtf8());
    f.close();
    const QStringList args = {QStringLiteral("--config"), ini, QStringLiteral("--no-demo"), QStringLiteral("--threads"), QStringLiteral("2"),
                              QStringLiteral("--port"), QString::number(nodePort(index)), QStringLiteral("--node-id"), nodeId(index),
                              QStringLiteral("--database"), m_postgres.url()};
    if (!node(index).start(args, error)) {
        *error = QStringLiteral("node %1: %2").arg(index + 1).arg(*error);
        return false;
    }
    return true;
}

bool ClusterFixture::startBalancer(QString *error)
{
    const QString nginx = QStandardPaths::findExecutable(QStringLiteral("nginx"), {QStringLiteral("/usr/sbin"), QStringLiteral("/usr/local/sbin")});
    if (nginx.isEmpty()) {
        *error = QStringLiteral("nginx is not installed (./flashsale installs it)");
        return false;
    }
    m_balancerPort = PostgresFixture::freePort();
    QString upstream;
    for (int i = 0; i < nodeCount(); ++i)
        upstream += QStringLiteral("        server 127.0.0.1:%1 max_fails=1 fail_timeout=2s;\n").arg(nodePort(i));
    const QString prefix = m_dir.path();
    QDir().mkpath(prefix + QStringLiteral("/logs"));
    // The cluster parts of installer/nginx/flashsale.conf: sticky by the shopper's token
    // (consistent hashing, so a dead node moves only its own shoppers), passive health
    // checks, and a retry on another node only when the node could not be reached.
    const QString conf = QStringLiteral(
        "daemon off;\nmaster_process on;\nworker_processes 2;\nworker_rlimit_nofile 16384;\nuser root;\n"
        "pid %1/nginx.pid;\nerror_log %1/logs/error.log warn;\n"
        "events { worker_connections 8192; }\n"
        "http {\n"
        "    access_log off;\n"
        "    client_body_temp_path %1/body; proxy_temp_path %1/proxy; fastcgi_temp_path %1/fastcgi;\n"
        "    uwsgi_temp_path %1/uwsgi; scgi_temp_path %1/scgi;\n"
        "    upstream flashsale_nodes {\n"
        "        hash $http_authorization consistent;\n%2"
        "        keepalive 64;\n"
        "    }\n"
        "    server {\n"
        "        listen 127.0.0.1:%3;\n"
        "        proxy_http_version 1.1;\n"
        "        proxy_set_header Connection \"\";\n"
        "        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
        "        proxy_connect_timeout 1s;\n"
        "        proxy_read_timeout 15s;\n"
        "        proxy_next_upstream error timeout http_502 http_503;\n"
        "        proxy_next_upstream_tries 3;\n"
        "        location / { proxy_pass http://flashsale_nodes; }\n"
        "    }\n"
        "}\n").arg(prefix, upstream).arg(m_balancerPort);
    QFile f(m_dir.filePath(QStringLiteral("nginx.conf")));
    if (!f.open(QIODevice::WriteOnly)) {
        *error = f.errorString();
        return false;
    }
    f.write(conf.toUtf8());
    f.close();
    m_nginx.setProcessChannelMode(QProcess::MergedChannels);
    m_nginx.start(nginx, {QStringLiteral("-p"), prefix, QStringLiteral("-c"), f.fileName()});
    if (!m_nginx.waitForStarted(5000)) {
        *error = QStringLiteral("nginx: ") + m_nginx.errorString();
        return false;
    }
    for (int attempt = 0; attempt < 100; ++attempt) {
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, m_balancerPort);
        if (probe.waitForConnected(100))
            return true;
        if (m_nginx.state() == QProcess::NotRunning)
            break;
        QThread::msleep(50);
    }
    *error = QStringLiteral("nginx did not start: ") + QString::fromUtf8(m_nginx.readAll());
    return false;
}
