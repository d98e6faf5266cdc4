#pragma once

#include "widgets/formdialog.h"

class QLineEdit;
class ServerClient;

// Signs the merchant in. In Connect mode it also asks for the server's address (a remote
// headless server); in SignIn mode it shows the address the console already talks to.
// The address and e-mail (never the password) are remembered between runs.
class ConnectDialog : public FormDialog
{
    Q_OBJECT

public:
    enum class Mode { SignIn, Connect };

    ConnectDialog(ServerClient *client, Mode mode, QWidget *parent = nullptr);

    void setCredentials(const QString &email, const QString &password);
    // Shows why the merchant has to sign in (say, the session expired).
    void setReason(const QString &reason);

    // What was remembered from the last successful connection.
    static QUrl rememberedServerUrl();
    static QString rememberedEmail();

protected:
    QHash<QString, QString> clientErrors() const override;
    void submit() override;

private:
    QUrl enteredUrl() const;

    ServerClient *m_client;
    Mode m_mode;
    QLineEdit *m_url;
    QLineEdit *m_email;
    QLineEdit *m_password;
};
