#pragma once

#include "formerrors.h"

#include <QDialog>
#include <QHash>

class FieldErrorLabel;
class QDialogButtonBox;
class QFormLayout;
class QLabel;
class QPushButton;
namespace Api {
struct Error;
}

// A dialog that sends a form to the server: fields in a form layout, each with its
// error label under it, a line for problems that belong to no field, and OK/Cancel.
// OK is disabled while the console's own checks fail, while the server's 422 errors
// stand (each until its field is edited) and while the request is on its way. The
// dialog closes only when the subclass reports that the server accepted the form.
class FormDialog : public QDialog
{
    Q_OBJECT

public:
    void accept() override;

protected:
    FormDialog(const QString &okText, QWidget *parent);

    // Adds a row for `field` with its error label; `key` is the field's JSON name.
    FieldErrorLabel *addField(const QString &labelText, QWidget *field, const QString &key);
    QFormLayout *form() const { return m_form; }
    FormErrors &errors() { return m_errors; }

    // Call when the merchant changed the field: its server error goes, checks rerun.
    void fieldEdited(const QString &key);
    void revalidate();

    // The console's own checks: JSON field name -> what is wrong.
    virtual QHash<QString, QString> clientErrors() const = 0;
    // False while the form cannot be sent yet (say, its choices are still loading).
    virtual bool isReady() const { return true; }
    // Starts the request; its handler calls submitSucceeded() or submitFailed().
    virtual void submit() = 0;

    void submitSucceeded();
    // Puts the server's field errors next to their fields and the rest under the form.
    void submitFailed(const Api::Error &error, const QString &whatFailed);

private:
    void updateOkButton();
    QPushButton *okButton() const;

    QFormLayout *m_form;
    QLabel *m_formError;
    QDialogButtonBox *m_buttons;
    FormErrors m_errors;
    QString m_okText;
    bool m_submitting = false;
};
