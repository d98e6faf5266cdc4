#pragma once

#include "client/product.h"
#include "client/sale.h"
#include "widgets/formdialog.h"

#include <QHash>

#include <optional>

class QComboBox;
class QDateTimeEdit;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class ServerClient;

// "New sale…": the merchant picks a product (from GET /products) and enters the sale's
// name, price, quantity, per-user limit and window in local time. OK sends POST /sales;
// the dialog closes once the server has created the sale, and says what is wrong next
// to each field otherwise.
class NewSaleDialog : public FormDialog
{
    Q_OBJECT

public:
    explicit NewSaleDialog(ServerClient *client, QWidget *parent = nullptr);

    Api::SaleDraft draft() const;

Q_SIGNALS:
    void saleCreated(const Api::Sale &sale);

protected:
    QHash<QString, QString> clientErrors() const override;
    bool isReady() const override;
    void submit() override;

private:
    void loadProducts();
    void productChanged();
    const Api::Product *currentProduct() const;

    ServerClient *m_client;
    QComboBox *m_product;
    QLabel *m_stock;
    QLineEdit *m_name;
    QDoubleSpinBox *m_price;
    QSpinBox *m_quantity;
    QSpinBox *m_perUserLimit;
    QDateTimeEdit *m_start;
    QDateTimeEdit *m_end;

    QHash<qint64, Api::Product> m_products;
    std::optional<qint64> m_stockLevel; // of the chosen product, once known
    bool m_productsLoaded = false;
    bool m_nameEdited = false;
};
