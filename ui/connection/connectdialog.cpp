#include "connectdialog.h"

#include "client/serverclient.h"

#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>

namespace {
const QString serverUrlKey = QStringLiteral("connection/serverUrl");
const QString emailKey = QStringLiteral("connection/email");
} // namespace

ConnectDialog::ConnectDialog(ServerClient *client, Mode mode, QWidget *parent)
    : FormDialog(mode == Mode::Connect ? tr("&Connect") : tr("&Sign in"), parent)
    , m_client(client)
    , m_mode(mode)
    , m_url(new QLineEdit(this))
    , m_email(new QLineEdit(this))
    , m_password(new QLineEdit(this))
{
    setWindowTitle(mode == Mode::Connect ? tr("Connect to a server") : tr("Sign in"));

    m_url->setPlaceholderText(tr("http://sales.example.com:8080"));
    m_url->setInputMethodHints(Qt::ImhUrlCharactersOnly);
    m_email->setInputMethodHints(Qt::ImhEmailCharactersOnly);
    m_email->setPlaceholderText(tr("admin@example.com"));
    m_password->setEchoMode(QLineEdit::Password);

    addField(tr("Ser&ver:"), m_url, QStringLiteral("url"));
    addField(tr("&E-mail:"), m_email, QStringLiteral("username"));
    addField(tr("&Password:"), m_password, QStringLiteral("password"));

    if (mode == Mode::Connect) {
        const QUrl remembered = rememberedServerUrl();
        m_url->setText((remembered.isEmpty() ? client->baseUrl() : remembered).toString());
    } else {
        m_url->setText(client->baseUrl().toString());
        m_url->setReadOnly(true);
    }
    m_email->setText(rememberedEmail());
    (m_email->text().isEmpty() ? m_email : m_password)->setFocus();

    connect(m_url, &QLineEdit::textEdited, this, [this] { fieldEdited(QStringLiteral("url")); });
    connect(m_email, &QLineEdit::textChanged, this, [this] { fieldEdited(QStringLiteral("username")); });
    connect(m_password, &QLineEdit::textChanged, this, [this] { fieldEdited(QStringLiteral("password")); });
    revalidate();
}

void ConnectDialog::setCredentials(const QString &email, const QString &password)
{
    m_email->setText(email);
    m_password->setText(password);
}

void ConnectDialog::setReason(const QString &reason)
{
    auto *label = new QLabel(reason, this);
    label->setWordWrap(true);
    form()->insertRow(0, label);
}

QUrl ConnectDialog::rememberedServerUrl()
{
    return QSettings().value(serverUrlKey).toUrl();
}

QString ConnectDialog::rememberedEmail()
{
    return QSettings().value(emailKey).toString();
}

QUrl ConnectDialog::enteredUrl() const
{
    return QUrl::fromUserInput(m_url->text().trimmed());
}

QHash<QString, QString> ConnectDialog::clientErrors() const
{
    QHash<QString, QString> errors;
    const QUrl url = enteredUrl();
    const bool web = url.scheme() == QLatin1String("http") || url.scheme() == QLatin1String("https");
    if (m_url->text().trimmed().isEmpty() || !url.isValid() || !web || url.host().isEmpty())
        errors.insert(QStringLiteral("url"), tr("Enter the server's address, such as http://host:8080."));
    const QString email = m_email->text().trimmed();
    if (email.isEmpty())
        errors.insert(QStringLiteral("username"), tr("Enter your e-mail address."));
    else if (!email.contains(QLatin1Char('@')))
        errors.insert(QStringLiteral("username"), tr("An e-mail address has an @ in it."));
    if (m_password->text().isEmpty())
        errors.insert(QStringLiteral("password"), tr("Enter your password."));
    return errors;
}

void ConnectDialog::submit()
{
    const QUrl url = enteredUrl();
    if (m_mode == Mode::Connect)
        m_client->setBaseUrl(url);
    const QString email = m_email->text().trimmed();
    m_client->login(email, m_password->text(), this, [this, url, email](const Api::Result<Api::Session> &result) {
        if (result.ok()) {
            QSettings settings;
            if (m_mode == Mode::Connect)
                settings.setValue(serverUrlKey, url);
            settings.setValue(emailKey, email);
            submitSucceeded();
            return;
        }
        Api::Error error = result.error();
        if (error.kind == Api::Error::Kind::Network)
            error.fieldErrors.insert(QStringLiteral("url"), tr("No answer from this server: %1").arg(error.message()));
        else if (error.status == 401 && error.fieldErrors.isEmpty())
            error.fieldErrors.insert(QStringLiteral("password"), error.message());
        submitFailed(error, tr("You are not signed in."));
    });
}
