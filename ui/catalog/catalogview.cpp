#include "catalogview.h"

#include "client/serverclient.h"
#include "productdialog.h"
#include "producttablemodel.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QSortFilterProxyModel>
#include <QTableView>

using namespace std::chrono_literals;

CatalogView::CatalogView(ServerClient *client, QWidget *parent)
    : PolledTableView(5s, QStringLiteral("catalogView/header"), parent)
    , m_client(client)
    , m_model(new ProductTableModel(this))
{
    setModel(m_model, ProductTableModel::SortRole, ProductTableModel::NameColumn);
    setPlaceholderText(tr("No products yet. Use Catalog ▸ New product… (Ctrl+Shift+N) to add one."));
    table()->setAccessibleName(tr("Products"));
    table()->horizontalHeader()->setSectionResizeMode(ProductTableModel::NameColumn, QHeaderView::ResizeToContents);
    table()->horizontalHeader()->setStretchLastSection(true);
    connect(table(), &QTableView::activated, this, &CatalogView::editSelectedProduct);
    connect(table()->selectionModel(), &QItemSelectionModel::selectionChanged, this, &CatalogView::selectionChanged);
}

void CatalogView::poll()
{
    m_client->listProducts(this, [this](const Api::Result<QList<Api::Product>> &result) {
        if (!result.ok()) {
            pollFailed(tr("Cannot load the catalog: %1").arg(result.error().message()));
            return;
        }
        m_model->setItems(result.value());
        pollSucceeded();
    });
}

std::optional<Api::Product> CatalogView::selectedProduct() const
{
    const QModelIndexList rows = table()->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return std::nullopt;
    return m_model->item(proxy()->mapToSource(rows.first()).row());
}

void CatalogView::newProduct()
{
    openDialog(std::nullopt);
}

void CatalogView::editSelectedProduct()
{
    if (const std::optional<Api::Product> product = selectedProduct())
        openDialog(product);
}

void CatalogView::openDialog(const std::optional<Api::Product> &existing)
{
    auto *dialog = new ProductDialog(m_client, existing, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ProductDialog::productSaved, this, [this](const Api::Product &product) {
        m_model->upsert(product);
        updatePlaceholder();
        refresh();
    });
    dialog->open();
}
