#pragma once

#include <QString>

#include <functional>

class QWidget;

// Asks the merchant to confirm an action that changes the server, window-modal and
// without blocking: `onConfirmed` runs only if they press the confirm button. The
// message box is named "confirmation" so that tests can find and answer it.
namespace Confirmation {
void ask(QWidget *parent, const QString &title, const QString &text, const QString &confirmLabel, std::function<void()> onConfirmed);
}
