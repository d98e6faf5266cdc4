#pragma once

#include <QHeaderView>
#include <QTableView>

// How the console shows a list the merchant reads but does not edit: whole rows
// selected one at a time, alternating colours, sortable by a click on a header, and Tab
// leaving the table rather than walking its cells.
namespace ReadOnlyTable {

inline void configure(QTableView *table)
{
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setAlternatingRowColors(true);
    table->setSortingEnabled(true);
    table->setTabKeyNavigation(false);
    table->verticalHeader()->hide();
}

} // namespace ReadOnlyTable
