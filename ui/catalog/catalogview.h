#pragma once

#include "common/polledtableview.h"

#include <optional>

class ProductTableModel;
class ServerClient;
namespace Api {
struct Product;
}

// The catalog tab: the products with their master stock, refreshed every few seconds
// while shown; adds and edits products through ProductDialog.
class CatalogView : public PolledTableView
{
    Q_OBJECT

public:
    explicit CatalogView(ServerClient *client, QWidget *parent = nullptr);

    ProductTableModel *model() const { return m_model; }
    std::optional<Api::Product> selectedProduct() const;

    void newProduct();
    void editSelectedProduct();

Q_SIGNALS:
    void selectionChanged();

protected:
    void poll() override;

private:
    void openDialog(const std::optional<Api::Product> &existing);

    ServerClient *m_client;
    ProductTableModel *m_model;
};
