#include "consoleapp.h"

#include "accounts/demodefaults.h"
#include "client/httpserverclient.h"
#include "connection/connectdialog.h"
#include "core/flashsaleserver.h"
#include "mainwindow/connectionstatus.h"
#include "mainwindow/mainwindow.h"

#include <QApplication>
#include <QCoreApplication>

#include <memory>

namespace {

// The console's parts, destroyed in the reverse order: the window first, then the
// client it uses, then the embedded server they talk to.
class Console
{
    Q_DECLARE_TR_FUNCTIONS(Console)

public:
    explicit Console(const ServerConfig &config)
        : m_config(config)
        , m_client(std::make_unique<HttpServerClient>(QUrl()))
        , m_window(std::make_unique<MainWindow>(m_client.get()))
    {
        QObject::connect(m_client.get(), &ServerClient::baseUrlChanged, m_window.get(), [this](const QUrl &url) {
            const bool embedded = m_server && url == m_server->baseUrl();
            m_window->connectionStatus()->setServerNote(embedded ? tr("embedded") : tr("remote"));
        });
    }

    ~Console()
    {
        m_window.reset();
        m_client.reset();
        if (m_server)
            m_server->stop();
    }

    void start()
    {
        // The server's start migrates the database and loads its state: done before the
        // window shows, on the main thread where FlashSaleServer lives.
        m_server = std::make_unique<FlashSaleServer>(m_config);
        QString error;
        if (!m_server->start(&error)) {
            m_server.reset();
            startRemote(error);
            return;
        }
        m_client->setBaseUrl(m_server->baseUrl());
        m_window->show();
        if (m_config.demo.seed)
            m_window->showSignIn(ConnectDialog::Mode::SignIn, QString(DemoDefaults::AdminEmail),
                                 QString(DemoDefaults::AdminPassword), true);
        else
            m_window->showSignIn(ConnectDialog::Mode::SignIn);
    }

private:
    void startRemote(const QString &whyNotEmbedded)
    {
        const QUrl remembered = ConnectDialog::rememberedServerUrl();
        m_client->setBaseUrl(remembered.isEmpty() ? QUrl(QStringLiteral("http://127.0.0.1:8080")) : remembered);
        m_window->show();
        ConnectDialog *dialog = m_window->showSignIn(ConnectDialog::Mode::Connect);
        dialog->setReason(tr("The embedded server did not start (%1). Connect to a running server instead.").arg(whyNotEmbedded));
    }

    ServerConfig m_config;
    std::unique_ptr<FlashSaleServer> m_server;
    std::unique_ptr<HttpServerClient> m_client;
    std::unique_ptr<MainWindow> m_window;
};

} // namespace

int runConsole(QApplication &app, const ServerConfig &config)
{
    Console console(config);
    console.start();
    return app.exec();
}
