#include "producttablemodel.h"

#include "client/money.h"

ProductTableModel::ProductTableModel(QObject *parent)
    : ColumnTableModel<Api::Product>(parent)
{
    addColumn({tr("Product"), [](const Api::Product &p) { return p.name; }});
    addColumn({tr("Regular price"), [](const Api::Product &p) { return Api::Money::format(p.regularPriceCents); },
               [](const Api::Product &p) { return p.regularPriceCents; }, true});
    addColumn(countColumn(tr("Master stock"), &Api::Product::stock));
    addColumn({tr("Description"), [](const Api::Product &p) { return p.description.section(QLatin1Char('\n'), 0, 0); }, {}, false, {},
               [](const Api::Product &p) { return p.description; }});
}
