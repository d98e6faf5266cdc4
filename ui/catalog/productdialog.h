#pragma once

#include "client/product.h"
#include "widgets/formdialog.h"

#include <optional>

class QDoubleSpinBox;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;
class ServerClient;

// Adds a product to the catalog (POST /products), or edits one (PUT /products/{id}):
// name, description, regular price, master stock and picture address.
class ProductDialog : public FormDialog
{
    Q_OBJECT

public:
    // Without `existing`, the dialog adds a new product.
    ProductDialog(ServerClient *client, const std::optional<Api::Product> &existing, QWidget *parent = nullptr);

    Api::ProductDraft draft() const;

Q_SIGNALS:
    void productSaved(const Api::Product &product);

protected:
    QHash<QString, QString> clientErrors() const override;
    void submit() override;

private:
    ServerClient *m_client;
    std::optional<qint64> m_productId;
    QLineEdit *m_name;
    QPlainTextEdit *m_description;
    QDoubleSpinBox *m_price;
    QSpinBox *m_stock;
    QLineEdit *m_imageUrl;
};
