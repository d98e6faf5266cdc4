#include "formdialog.h"

#include "client/apierror.h"
#include "errorstyle.h"
#include "fielderrorlabel.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

FormDialog::FormDialog(const QString &okText, QWidget *parent)
    : QDialog(parent)
    , m_form(new QFormLayout)
    , m_formError(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
    , m_okText(okText)
{
    setMinimumWidth(460); // room for a field's error to read on one or two lines
    ErrorStyle::apply(m_formError);
    m_formError->setObjectName(QStringLiteral("formError"));
    m_formError->setAccessibleName(tr("Problem"));
    m_formError->hide();

    okButton()->setText(m_okText);
    QString plain = m_okText;
    okButton()->setAccessibleName(plain.remove(QLatin1Char('&')));
    m_buttons->button(QDialogButtonBox::Cancel)->setAccessibleName(tr("Cancel"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &FormDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &FormDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(m_form);
    layout->addWidget(m_formError);
    layout->addStretch();
    layout->addWidget(m_buttons);
}

QPushButton *FormDialog::okButton() const
{
    return m_buttons->button(QDialogButtonBox::Ok);
}

FieldErrorLabel *FormDialog::addField(const QString &labelText, QWidget *field, const QString &key)
{
    return m_errors.addRow(m_form, labelText, field, key);
}

void FormDialog::fieldEdited(const QString &key)
{
    m_errors.clearServerError(key);
    m_formError->hide();
    revalidate();
}

void FormDialog::revalidate()
{
    m_errors.setClientErrors(clientErrors());
    updateOkButton();
}

void FormDialog::updateOkButton()
{
    okButton()->setEnabled(isReady() && !m_errors.hasErrors() && !m_submitting);
}

void FormDialog::accept()
{
    revalidate();
    if (!okButton()->isEnabled())
        return;
    m_submitting = true;
    m_formError->hide();
    okButton()->setText(tr("Saving…"));
    updateOkButton();
    submit();
}

void FormDialog::submitSucceeded()
{
    m_submitting = false;
    QDialog::accept();
}

void FormDialog::submitFailed(const Api::Error &error, const QString &whatFailed)
{
    m_submitting = false;
    okButton()->setText(m_okText);
    const QHash<QString, QString> unplaced = m_errors.setServerErrors(error.fieldErrors);

    QString message;
    if (error.status == 401 || error.status == 403)
        message = tr("%1 Sign in as an administrator. (%2)").arg(whatFailed, error.message());
    else if (!m_errors.hasServerErrors() || !unplaced.isEmpty())
        message = tr("%1 %2").arg(whatFailed, error.message());
    for (auto it = unplaced.cbegin(); it != unplaced.cend(); ++it)
        message += QLatin1Char('\n') + tr("%1: %2").arg(it.key(), it.value());
    m_formError->setText(message);
    m_formError->setVisible(!message.isEmpty());
    updateOkButton();
}
