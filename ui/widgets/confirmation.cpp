#include "confirmation.h"

#include <QMessageBox>
#include <QPushButton>

namespace Confirmation {

void ask(QWidget *parent, const QString &title, const QString &text, const QString &confirmLabel, std::function<void()> onConfirmed)
{
    auto *box = new QMessageBox(QMessageBox::Question, title, text, QMessageBox::Cancel, parent);
    box->setObjectName(QStringLiteral("confirmation"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    QPushButton *confirm = box->addButton(confirmLabel, QMessageBox::AcceptRole);
    confirm->setObjectName(QStringLiteral("confirm"));
    box->setDefaultButton(QMessageBox::Cancel); // Enter does not change the server by accident
    QObject::connect(box, &QMessageBox::buttonClicked, box, [confirm, onConfirmed = std::move(onConfirmed)](QAbstractButton *b) {
        if (b == confirm)
            onConfirmed();
    });
    box->open();
}

} // namespace Confirmation
