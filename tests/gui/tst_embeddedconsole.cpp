// runConsole() as the application runs it: the server embedded in this process with the
// demo seeded, the console signed in as the demo administrator on its own, the demo
// sale listed. The test watches the window from a timer and closes it, which ends
// runConsole().
#include "consoleapp.h"
#include "mainwindow/connectionstatus.h"
#include "mainwindow/mainwindow.h"
#include "sales/salestablemodel.h"
#include "sales/salesview.h"

#include "testserver.h"

#include <QApplication>
#include <QSettings>
#include <QTemporaryDir>
#include <QTimer>
#include <QPointer>
#include <QtTest>

class TestEmbeddedConsole : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void signsInAsTheDemoAdminAndListsTheDemoSale()
    {
        QTemporaryDir settingsDir;
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir.path());
        QCoreApplication::setOrganizationName(QStringLiteral("FlashSaleTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_embeddedconsole"));
        QTemporaryDir dataDir;
        ServerConfig config = TestServer::testConfig(dataDir.path());
        config.demo.seed = true;

        QString serverText;
        QString userText;
        int sales = 0;
        bool seen = false;
        QTimer watch;
        watch.setInterval(50);
        connect(&watch, &QTimer::timeout, this, [&] {
            // Guarded: the qWait below runs events, and a top-level widget of this snapshot
            // (a popup, a tooltip) may be deleted meanwhile.
            QList<QPointer<QWidget>> widgets;
            for (QWidget *widget : QApplication::topLevelWidgets())
                widgets.append(widget);
            for (const QPointer<QWidget> &widget : std::as_const(widgets)) {
                auto *window = qobject_cast<MainWindow *>(widget.data());
                if (!window || !window->isVisible())
                    continue;
                ConnectionStatus *status = window->connectionStatus();
                serverText = status->serverText();
                userText = status->userText();
                sales = window->salesView()->model()->rowCount();
                if (status->isReachable() && userText.startsWith(QStringLiteral("Signed in")) && sales > 0) {
                    seen = true;
                    watch.stop();
                    QTest::qWait(1100); // one more refresh, for the screenshot
                    const QString path = QDir(testOutputDir()).filePath(QStringLiteral("console-embedded-demo.png"));
                    window->grab().save(path);
                    qInfo("screenshot: %s", qPrintable(path));
                    window->close(); // the last window: runConsole() returns
                    return;
                }
            }
        });
        watch.start();
        QTimer::singleShot(60000, qApp, [] { // never hang the suite
            for (QWidget *widget : QApplication::topLevelWidgets())
                widget->close();
        });

        const int code = runConsole(*qApp, config);
        QCOMPARE(code, 0);
        QVERIFY2(seen, qPrintable(QStringLiteral("%1 | %2 | %3 sales").arg(serverText, userText).arg(sales)));
        QVERIFY2(serverText.contains(QStringLiteral("(embedded)")), qPrintable(serverText));
        QCOMPARE(userText, QStringLiteral("Signed in as admin@flashsale.local"));
        QCOMPARE(QSettings().value(QStringLiteral("connection/email")).toString(), QStringLiteral("admin@flashsale.local"));
    }
};

QTEST_MAIN(TestEmbeddedConsole)
#include "tst_embeddedconsole.moc"
