// The merchant console against a real server in this process: sign in, the status bar,
// the new-sale dialog (field errors from the console's own checks and from the server's
// 422, then a valid sale typed in with the keyboard), the sale in the sales table and
// the master stock in the catalog. Screenshots go to testOutputDir().
#include "catalog/productdialog.h"
#include "catalog/producttablemodel.h"
#include "client/httpserverclient.h"
#include "mainwindow/connectionstatus.h"
#include "mainwindow/mainwindow.h"
#include "sales/newsaledialog.h"
#include "sales/salestablemodel.h"
#include "sales/salesview.h"
#include "catalog/catalogview.h"
#include "widgets/fielderrorlabel.h"

#include "guisteps.h"
#include "httpclient.h"
#include "testserver.h"

#include <QAbstractSpinBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableView>
#include <QtTest>

namespace {

const QString adminEmail = QStringLiteral("console-admin@example.com");
const QString adminPassword = QStringLiteral("console admin password 42");
const QString productName = QStringLiteral("Aurora Phone X");
const QString saleName = QStringLiteral("Console test sale");
constexpr int productStock = 5000;
constexpr int saleQuantity = 50;

FieldErrorLabel *errorLabel(QWidget *dialog, const QString &key)
{
    return dialog->findChild<FieldErrorLabel *>(key + QStringLiteral("Error"));
}

} // namespace

class TestConsole : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        GuiSteps::isolateSettings(m_settingsDir.path(), QStringLiteral("tst_console"));

        qputenv("FLASHSALE_ADMIN_EMAIL", adminEmail.toUtf8());
        qputenv("FLASHSALE_ADMIN_PASSWORD", adminPassword.toUtf8());
        m_server = std::make_unique<TestServer>();
        QVERIFY2(m_server->start(), qPrintable(m_server->error()));

        HttpClient http(m_server->baseUrl());
        const QByteArray token = http.login(adminEmail, adminPassword);
        QVERIFY(!token.isEmpty());
        http.setBearer(token);
        const HttpResult product = http.post(QStringLiteral("/products"),
                                             {{QStringLiteral("name"), productName},
                                              {QStringLiteral("description"), QStringLiteral("6.1-inch phone, 256 GB")},
                                              {QStringLiteral("regularPrice"), 999.98},
                                              {QStringLiteral("stock"), productStock}});
        QCOMPARE(product.status, 201);

        m_client = std::make_unique<HttpServerClient>(m_server->baseUrl());
        m_window = std::make_unique<MainWindow>(m_client.get());
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    }

    void cleanupTestCase()
    {
        m_window.reset();
        m_client.reset();
        m_server.reset();
    }

    void statusBarShowsTheServerAndThatItIsReachable()
    {
        ConnectionStatus *status = m_window->connectionStatus();
        QVERIFY(status->serverText().contains(m_server->baseUrl().toString()));
        QTRY_VERIFY(status->isReachable());
        QCOMPARE(status->userText(), QStringLiteral("Not signed in"));
        QVERIFY(!m_window->newSaleAction()->isEnabled());
    }

    void signsInThroughTheDialog()
    {
        QPointer<ConnectDialog> dialog = m_window->showSignIn(ConnectDialog::Mode::SignIn);
        auto *email = dialog->findChild<QLineEdit *>(QStringLiteral("username"));
        auto *password = dialog->findChild<QLineEdit *>(QStringLiteral("password"));
        QVERIFY(email && password);
        GuiSteps::retype(email, adminEmail);
        QTest::keyClicks(password, QStringLiteral("wrong password"));
        QTest::keyClick(password, Qt::Key_Return);
        QTRY_VERIFY(errorLabel(dialog, QStringLiteral("password"))->isVisible()); // 401 next to the password
        QVERIFY(!m_client->isLoggedIn());

        GuiSteps::retype(password, adminPassword);
        QVERIFY(!errorLabel(dialog, QStringLiteral("password"))->isVisible()); // editing clears it
        QTest::keyClick(password, Qt::Key_Return);
        QTRY_VERIFY(dialog.isNull()); // closed once signed in
        QVERIFY(m_client->isLoggedIn());
        QCOMPARE(m_window->connectionStatus()->userText(), QStringLiteral("Signed in as %1").arg(adminEmail));
        QVERIFY(m_window->newSaleAction()->isEnabled());
    }

    void newSaleDialogSaysWhatIsWrongThenCreatesTheSale()
    {
        m_window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
        QTest::keySequence(m_window.get(), QKeySequence::New); // Ctrl+N
        QPointer<NewSaleDialog> dialog;
        QTRY_VERIFY((dialog = m_window->findChild<NewSaleDialog *>()));
        QVERIFY(QTest::qWaitForWindowExposed(dialog));

        auto *product = dialog->findChild<QComboBox *>(QStringLiteral("productId"));
        auto *name = dialog->findChild<QLineEdit *>(QStringLiteral("name"));
        auto *price = dialog->findChild<QAbstractSpinBox *>(QStringLiteral("salePrice"));
        auto *quantity = dialog->findChild<QSpinBox *>(QStringLiteral("quantity"));
        auto *limit = dialog->findChild<QSpinBox *>(QStringLiteral("perUserLimit"));
        auto *end = dialog->findChild<QDateTimeEdit *>(QStringLiteral("endTime"));
        QPushButton *ok = dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
        QVERIFY(product && name && price && quantity && limit && end && ok);
        QTRY_COMPARE(product->count(), 1); // filled from GET /products
        QVERIFY(product->currentText().startsWith(productName));
        QTRY_COMPARE(dialog->findChild<QLabel *>(QStringLiteral("stock"))->text(), QLocale().toString(productStock));
        QTRY_VERIFY(ok->isEnabled()); // the defaults make a valid sale once the stock is known

        // The console's own checks, next to the fields, as the merchant types.
        GuiSteps::retype(quantity, QStringLiteral("0"));
        FieldErrorLabel *quantityError = errorLabel(dialog, QStringLiteral("quantity"));
        QVERIFY(quantityError->isVisible());
        QCOMPARE(quantityError->text(), QStringLiteral("The quantity must be at least 1."));
        QCOMPARE(quantity->accessibleDescription(), quantityError->text());

        end->setFocus();
        end->setCurrentSection(QDateTimeEdit::YearSection);
        QTest::keyClick(end, Qt::Key_Down); // a year earlier: before the start
        FieldErrorLabel *endError = errorLabel(dialog, QStringLiteral("endTime"));
        QVERIFY(endError->isVisible());
        QCOMPARE(endError->text(), QStringLiteral("The end must be after the start."));
        QVERIFY(!ok->isEnabled());
        QVERIFY(GuiSteps::saveScreenshot(dialog, QStringLiteral("console-new-sale-invalid.png")));

        // Valid for the console but not for the server: its 422 lands next to the field.
        QTest::keyClick(end, Qt::Key_Up);
        QVERIFY(!endError->isVisible());
        GuiSteps::retype(name, saleName);
        GuiSteps::retype(price, QStringLiteral("449.50"));
        GuiSteps::retype(quantity, QStringLiteral("2000"));
        GuiSteps::retype(limit, QStringLiteral("1500"));
        QVERIFY(!quantityError->isVisible());
        QVERIFY(ok->isEnabled());
        QTest::mouseClick(ok, Qt::LeftButton);
        FieldErrorLabel *limitError = errorLabel(dialog, QStringLiteral("perUserLimit"));
        QTRY_VERIFY(limitError->isVisible());
        QVERIFY2(limitError->text().contains(QStringLiteral("1000")), qPrintable(limitError->text())); // the server's limit
        QVERIFY(!ok->isEnabled()); // until the field is edited
        QVERIFY(GuiSteps::saveScreenshot(dialog, QStringLiteral("console-new-sale-server-error.png")));

        GuiSteps::retype(limit, QStringLiteral("2"));
        QVERIFY(!limitError->isVisible());
        GuiSteps::retype(quantity, QString::number(saleQuantity));
        QVERIFY(ok->isEnabled());
        QVERIFY(GuiSteps::saveScreenshot(dialog, QStringLiteral("console-new-sale-valid.png")));
        QTest::mouseClick(ok, Qt::LeftButton);
        QTRY_VERIFY(dialog.isNull()); // closed once the server created the sale

        SalesTableModel *model = m_window->salesView()->model();
        int row = -1;
        QTRY_VERIFY((row = rowNamed(model, saleName)) >= 0);
        const Api::Sale &sale = model->item(row);
        QCOMPARE(sale.quantity, saleQuantity);
        QCOMPARE(sale.remainingStock, saleQuantity);
        QCOMPARE(sale.perUserLimit, 2);
        QCOMPARE(sale.salePriceCents, 44950);
        QCOMPARE(sale.status, Api::Sale::Status::Scheduled);
        QVERIFY(model->data(model->index(row, SalesTableModel::StateColumn)).toString().startsWith(QStringLiteral("Scheduled")));
        QTest::qWait(1200); // one refresh from the server, for the screenshot
        QVERIFY(GuiSteps::saveScreenshot(m_window.get(), QStringLiteral("console-main-window-sales.png")));

        // What the server has is what the merchant typed.
        HttpClient http(m_server->baseUrl());
        const HttpResult sales = http.get(QStringLiteral("/sales?all=true"));
        QCOMPARE(sales.status, 200);
        QCOMPARE(sales.jsonArray().size(), 1);
        const QJsonObject stored = sales.jsonArray().first().toObject();
        QCOMPARE(stored.value(QStringLiteral("name")).toString(), saleName);
        QCOMPARE(stored.value(QStringLiteral("salePrice")).toDouble(), 449.5);
        QCOMPARE(stored.value(QStringLiteral("perUserLimit")).toInt(), 2);
    }

    void catalogShowsTheMasterStockLeft()
    {
        m_window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
        QTest::keySequence(m_window.get(), QKeySequence(QStringLiteral("Ctrl+2")));
        QCOMPARE(m_window->findChild<QTabWidget *>()->currentWidget(), m_window->catalogView());
        ProductTableModel *model = m_window->catalogView()->model();
        QTRY_COMPARE(model->rowCount(), 1);
        QTRY_COMPARE(model->item(0).stock, qint64(productStock - saleQuantity)); // the sale took its units
        QVERIFY(GuiSteps::saveScreenshot(m_window.get(), QStringLiteral("console-main-window-catalog.png")));
        QTest::keySequence(m_window.get(), QKeySequence(QStringLiteral("Ctrl+1")));
    }

    void productDialogAddsAndEditsProducts()
    {
        m_window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
        QTest::keySequence(m_window.get(), QKeySequence(QStringLiteral("Ctrl+Shift+N")));
        QPointer<ProductDialog> dialog;
        QTRY_VERIFY((dialog = m_window->findChild<ProductDialog *>()));
        auto *name = dialog->findChild<QLineEdit *>(QStringLiteral("name"));
        auto *price = dialog->findChild<QAbstractSpinBox *>(QStringLiteral("regularPrice"));
        auto *stock = dialog->findChild<QSpinBox *>(QStringLiteral("stock"));
        auto *imageUrl = dialog->findChild<QLineEdit *>(QStringLiteral("imageUrl"));
        QPushButton *ok = dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
        QVERIFY(name && price && stock && imageUrl && ok);
        QVERIFY(!ok->isEnabled()); // an empty form is not a product
        QCOMPARE(errorLabel(dialog, QStringLiteral("name"))->text(), QStringLiteral("Enter the product's name."));
        QCOMPARE(errorLabel(dialog, QStringLiteral("regularPrice"))->text(), QStringLiteral("The regular price must be more than zero."));

        QTest::keyClicks(name, QStringLiteral("Smartwatch S3"));
        GuiSteps::retype(price, QStringLiteral("249.00"));
        GuiSteps::retype(stock, QStringLiteral("120"));
        QTest::keyClicks(imageUrl, QStringLiteral("not a url"));
        QVERIFY(errorLabel(dialog, QStringLiteral("imageUrl"))->isVisible());
        QVERIFY(!ok->isEnabled());
        QVERIFY(GuiSteps::saveScreenshot(dialog, QStringLiteral("console-new-product-invalid.png")));
        GuiSteps::retype(imageUrl, QStringLiteral("https://example.com/s3.png"));
        QVERIFY(!errorLabel(dialog, QStringLiteral("name"))->isVisible());
        QVERIFY(ok->isEnabled());
        QTest::mouseClick(ok, Qt::LeftButton);
        QTRY_VERIFY(dialog.isNull());

        ProductTableModel *model = m_window->catalogView()->model();
        QTRY_COMPARE(model->rowCount(), 2);
        const int row = model->rowOf(model->item(0).name == QStringLiteral("Smartwatch S3") ? model->item(0).id : model->item(1).id);
        QCOMPARE(model->item(row).stock, 120);
        QCOMPARE(model->item(row).regularPriceCents, 24900);

        // Edit: select the row, Ctrl+E, change the stock. (The offscreen platform does not
        // give the activation back to the window when a dialog closes.)
        m_window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
        QTableView *table = m_window->catalogView()->table();
        table->setFocus();
        table->selectRow(table->model()->index(0, 0).data().toString() == QStringLiteral("Smartwatch S3") ? 0 : 1);
        QTest::keySequence(m_window.get(), QKeySequence(QStringLiteral("Ctrl+E")));
        QTRY_VERIFY((dialog = m_window->findChild<ProductDialog *>()));
        stock = dialog->findChild<QSpinBox *>(QStringLiteral("stock"));
        QCOMPARE(dialog->findChild<QLineEdit *>(QStringLiteral("name"))->text(), QStringLiteral("Smartwatch S3"));
        GuiSteps::retype(stock, QStringLiteral("90"));
        QTest::keyClick(stock, Qt::Key_Return);
        QTRY_VERIFY(dialog.isNull());
        QTRY_COMPARE(model->item(row).stock, 90);
        QTest::keySequence(m_window.get(), QKeySequence(QStringLiteral("Ctrl+1")));
    }

    void connectDialogRemembersServerAndEmailButNotThePassword()
    {
        QPointer<ConnectDialog> dialog = m_window->showSignIn(ConnectDialog::Mode::Connect);
        auto *url = dialog->findChild<QLineEdit *>(QStringLiteral("url"));
        auto *email = dialog->findChild<QLineEdit *>(QStringLiteral("username"));
        auto *password = dialog->findChild<QLineEdit *>(QStringLiteral("password"));
        QVERIFY(url && email && password);
        QVERIFY(!url->isReadOnly());
        GuiSteps::retype(url, QStringLiteral("ftp://nowhere"));
        QVERIFY(errorLabel(dialog, QStringLiteral("url"))->isVisible());
        GuiSteps::retype(url, m_server->baseUrl().toString());
        GuiSteps::retype(email, adminEmail);
        QTest::keyClicks(password, adminPassword);
        QTest::keyClick(password, Qt::Key_Return);
        QTRY_VERIFY(dialog.isNull());
        QVERIFY(m_client->isLoggedIn());

        QSettings settings;
        QCOMPARE(settings.value(QStringLiteral("connection/serverUrl")).toUrl(), m_server->baseUrl());
        QCOMPARE(settings.value(QStringLiteral("connection/email")).toString(), adminEmail);
        for (const QString &key : settings.allKeys())
            QVERIFY2(settings.value(key).toString() != adminPassword, qPrintable(key));
        dialog = m_window->showSignIn(ConnectDialog::Mode::Connect); // the next time, filled in but the password
        QCOMPARE(dialog->findChild<QLineEdit *>(QStringLiteral("url"))->text(), m_server->baseUrl().toString());
        QCOMPARE(dialog->findChild<QLineEdit *>(QStringLiteral("username"))->text(), adminEmail);
        QVERIFY(dialog->findChild<QLineEdit *>(QStringLiteral("password"))->text().isEmpty());
        dialog->reject();
    }

    void geometryIsSavedOnClose()
    {
        m_window->resize(1100, 700);
        m_window->close();
        QVERIFY(QSettings().contains(QStringLiteral("mainWindow/geometry")));
        MainWindow again(m_client.get());
        QCOMPARE(again.size(), QSize(1100, 700));
    }

private:
    static int rowNamed(const SalesTableModel *model, const QString &name)
    {
        for (int row = 0; row < model->rowCount(); ++row) {
            if (model->item(row).name == name)
                return row;
        }
        return -1;
    }

    QTemporaryDir m_settingsDir;
    std::unique_ptr<TestServer> m_server;
    std::unique_ptr<HttpServerClient> m_client;
    std::unique_ptr<MainWindow> m_window;
};

QTEST_MAIN(TestConsole)
#include "tst_console.moc"
