#include "postgresfixture.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QTcpServer>
#include <QTest>
#include <QThread>

#include <csignal>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

QString findPostgresBin()
{
    QDir lib(QStringLiteral("/usr/lib/postgresql"));
    QStringList versions = lib.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    std::sort(versions.begin(), versions.end(), [](const QString &a, const QString &b) { return a.toInt() > b.toInt(); });
    for (const QString &v : versions) {
        const QString bin = lib.filePath(v + QStringLiteral("/bin"));
        if (QFile::exists(bin + QStringLiteral("/initdb")))
            return bin;
    }
    return {};
}

// As root, PostgreSQL refuses to run: drop to the postgres system user in the child.
void runAsServerUser(QProcess &p, bool root)
{
    if (!root)
        return;
    const passwd *pw = ::getpwnam("postgres");
    if (!pw)
        return;
    const uid_t uid = pw->pw_uid;
    const gid_t gid = pw->pw_gid;
    p.setChildProcessModifier([uid, gid] {
        if (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0)
            ::_exit(126);
    });
}

bool run(const QStringList &command, QString *output, int timeoutMs = 60000, bool asServerUser = false)
{
    QProcess p;
    runAsServerUser(p, asServerUser);
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(command.first(), command.mid(1));
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        *output = QStringLiteral("timed out: ") + command.join(QLatin1Char(' '));
        return false;
    }
    *output = QString::fromLocal8Bit(p.readAll());
    return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

} // namespace

PostgresFixture::PostgresFixture(Durability durability)
    : m_bin(findPostgresBin())
    , m_root(::getuid() == 0)
    , m_durability(durability)
{
}

PostgresFixture::~PostgresFixture()
{
    stop();
}

quint16 PostgresFixture::freePort()
{
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    return s.serverPort();
}

QStringList PostgresFixture::asServerUser(const QString &program, const QStringList &args) const
{
    return QStringList{m_bin + QLatin1Char('/') + program} + args;
}

bool PostgresFixture::start(QString *error)
{
    if (m_bin.isEmpty()) {
        *error = QStringLiteral("PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)");
        return false;
    }
    if (!m_dir.isValid()) {
        *error = QStringLiteral("cannot create a temporary folder");
        return false;
    }
    const QString data = m_dir.filePath(QStringLiteral("data"));
    QString out;
    if (m_root) {
        ::chmod(QFile::encodeName(m_dir.path()).constData(), 0755);
        const passwd *pw = ::getpwnam("postgres");
        if (!pw || ::chown(QFile::encodeName(m_dir.path()).constData(), pw->pw_uid, pw->pw_gid) != 0) {
            *error = QStringLiteral("as root, the fixture needs the postgres system user to own %1").arg(m_dir.path());
            return false;
        }
    }
    if (!run(asServerUser(QStringLiteral("initdb"), {QStringLiteral("-D"), data, QStringLiteral("-U"), QStringLiteral("flashsale"),
                                                     QStringLiteral("--auth=trust"), QStringLiteral("-E"), QStringLiteral("UTF8"),
                                                     QStringLiteral("--no-sync")}), &out, 60000, m_root)) {
        *error = QStringLiteral("initdb failed: ") + out;
        return false;
    }
    m_port = freePort();
    if (!launch(error))
        return false;
    if (!run({m_bin + QStringLiteral("/psql"), QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"), QString::number(m_port),
              QStringLiteral("-U"), QStringLiteral("flashsale"), QStringLiteral("-d"), QStringLiteral("postgres"), QStringLiteral("-c"),
              QStringLiteral("CREATE DATABASE flashsale")}, &out)) {
        *error = QStringLiteral("createdb failed: ") + out;
        return false;
    }
    return true;
}

bool PostgresFixture::restart(QString *error)
{
    stop();
    return launch(error);
}

bool PostgresFixture::launch(QString *error)
{
    const QString data = m_dir.filePath(QStringLiteral("data"));
    QString out;
    const QStringList cmd = asServerUser(QStringLiteral("postgres"),
        {QStringLiteral("-D"), data, QStringLiteral("-p"), QString::number(m_port), QStringLiteral("-k"), m_dir.path(),
         QStringLiteral("-c"), QStringLiteral("listen_addresses=127.0.0.1"), QStringLiteral("-c"), QStringLiteral("max_connections=200"),
         QStringLiteral("-c"), m_durability == Durability::Durable ? QStringLiteral("fsync=on") : QStringLiteral("fsync=off"),
         QStringLiteral("-c"), QStringLiteral("shared_buffers=64MB")});
    m_server.setProcessChannelMode(QProcess::MergedChannels);
    m_server.setStandardOutputFile(m_dir.filePath(QStringLiteral("postgres.log")), QIODevice::Append);
    runAsServerUser(m_server, m_root);
    m_server.start(cmd.first(), cmd.mid(1));
    if (!m_server.waitForStarted(10000)) {
        *error = QStringLiteral("postgres did not start: ") + m_server.errorString();
        return false;
    }
    QDeadlineTimer deadline(30000);
    while (!deadline.hasExpired()) {
        if (run({m_bin + QStringLiteral("/pg_isready"), QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"),
                 QString::number(m_port)}, &out, 5000))
            break;
        if (m_server.state() == QProcess::NotRunning)
            break;
        QThread::msleep(100);
    }
    if (m_server.state() == QProcess::NotRunning) {
        QFile log(m_dir.filePath(QStringLiteral("postgres.log")));
        log.open(QIODevice::ReadOnly);
        *error = QStringLiteral("postgres exited: ") + QString::fromLocal8Bit(log.readAll());
        return false;
    }
    return true;
}

void PostgresFixture::stop()
{
    if (m_server.state() != QProcess::NotRunning) {
        ::kill(pid_t(m_server.processId()), SIGINT); // fast shutdown
        if (!m_server.waitForFinished(15000))
            m_server.kill();
        m_server.waitForFinished(5000);
    }
}

QString PostgresFixture::url() const
{
    return QStringLiteral("postgresql://flashsale:flashsale@127.0.0.1:%1/flashsale").arg(m_port);
}

QString PostgresFixture::psql(const QString &sql, QString *error) const
{
    QString out;
    const bool ok = run({m_bin + QStringLiteral("/psql"), QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"),
                         QString::number(m_port), QStringLiteral("-U"), QStringLiteral("flashsale"), QStringLiteral("-d"),
                         QStringLiteral("flashsale"), QStringLiteral("-At"), QStringLiteral("-v"), QStringLiteral("ON_ERROR_STOP=1"),
                         QStringLiteral("-c"), sql}, &out);
    if (!ok && error)
        *error = out;
    return out.trimmed();
}

void PostgresFixture::runOnFresh(const std::function<void(const QString &databaseUrl)> &test)
{
    PostgresFixture pg;
    QString error;
    QVERIFY2(pg.start(&error), qPrintable(error));
    test(pg.url());
}
